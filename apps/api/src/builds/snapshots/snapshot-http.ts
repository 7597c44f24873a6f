import { createHash } from 'node:crypto';

/**
 * Bump when the snapshot's JSON changes shape for the same events (a field added to the
 * fold, a new preview rule): validators handed out before then stop matching.
 */
export const SNAPSHOT_FORMAT = 3;

/**
 * The snapshot's validator. Every field of a snapshot is a projection of the events up to
 * `seq` except `session.audit`, so seq and the audit's text name it; `variant` holds what
 * else shapes the body (format, preview length). Weak: the same validator for every
 * content-coding of the body.
 */
export function snapshotEtag(version: { seq: number; audit: string }, variant: string): string {
  const digest = createHash('sha256').update(`${variant}\n${version.audit}`).digest('base64url');
  return `W/"${version.seq}-${digest.slice(0, 16)}"`;
}

/**
 * A finished session's snapshot never changes: the browser keeps it without asking again.
 * Not for a year: the URL carries no version, so a change of format (SNAPSHOT_FORMAT)
 * reaches kept copies within a day. A running one is revalidated on every use (ETag/304).
 * Private either way: a snapshot is only for the credential that read it.
 */
export function snapshotCacheControl(finished: boolean): string {
  return finished ? 'private, max-age=86400, immutable' : 'private, no-cache';
}

/**
 * The body depends on the content-coding asked for, and who may read it on the credential:
 * a browser signed out (another cookie) or with another key asks the server again.
 */
export const SNAPSHOT_VARY = 'Accept-Encoding, Authorization, Cookie';

/**
 * Whether If-None-Match names `etag` (weak comparison, RFC 9110 13.1.2; `*` names any).
 * Not Express's `req.fresh`: it ignores validators whenever the request says
 * `Cache-Control: no-cache`, which fetch() adds to every request that sets If-None-Match.
 */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  const wanted = opaque(etag);
  return header.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === wanted);
}

export type SnapshotEncoding = 'br' | 'gzip' | 'identity';

/** Below this a compressed body saves less than its headers and time cost (as `compression` does). */
export const COMPRESS_MIN_BYTES = 1024;

/**
 * The content-coding to send, given the ones the client accepts (Express's
 * `acceptsEncodings()`: q > 0 only). A finished snapshot prefers brotli (compressed once,
 * kept, the fewest bytes); a running one gzip, whose body is laid out of the gzip segments of
 * its parts, most of them the previous seq's (brotli would compress the whole body again at
 * every seq). Else the other one, else none.
 */
export function chooseEncoding(
  accepted: readonly string[],
  bodyBytes: number,
  finished: boolean,
): SnapshotEncoding {
  if (bodyBytes < COMPRESS_MIN_BYTES) return 'identity';
  const names = new Set(accepted.map((name) => name.toLowerCase()));
  const preferred: SnapshotEncoding[] = finished ? ['br', 'gzip'] : ['gzip', 'br'];
  return preferred.find((encoding) => names.has(encoding)) ?? 'identity';
}
