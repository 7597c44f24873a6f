import { CloseCode } from './contracts.js';
import { HttpError } from './http.js';

/**
 * The socket credential: when to renew it, and what a close code or a failed request means
 * for it. Pure: the connection keeps the clock, the timers and the socket.
 */

/** What a subscription token must cover: a project room, or one build of it. */
export interface TokenTarget {
  projectId: string;
  sessionId?: string;
}

/** A token, or a token with its expiry (ISO 8601) so the client can renew it in time. */
export type IssuedToken = string | { token: string; expiresAt?: string };

/** Asked for a fresh credential before each connection and before the current one expires. */
export type GetToken = (target: TokenTarget) => Promise<IssuedToken>;

export interface Credential {
  token: string;
  /** When to ask for the next one (ms since the epoch), or null: it does not expire. */
  renewAt: number | null;
}

/** Renew this long before expiry at most: enough for a slow `getToken` and the round trip. */
const MAX_RENEWAL_LEAD_MS = 60_000;

export function toCredential(issued: IssuedToken, receivedAt: number): Credential {
  if (typeof issued === 'string') return { token: issued, renewAt: null };
  const expiresAt = issued.expiresAt === undefined ? NaN : Date.parse(issued.expiresAt);
  return { token: issued.token, renewAt: renewalTime(receivedAt, expiresAt) };
}

/**
 * expiresAt − min(60 s, a third of the lifetime). No expiry, or one already past by our
 * clock (a skewed clock, or a stale token): null, never renew in place. The server then
 * closes the socket with 4401 at expiry and the client reconnects with a fresh token, which
 * cannot turn into a loop of renewals.
 */
export function renewalTime(receivedAt: number, expiresAt: number): number | null {
  const lifetime = expiresAt - receivedAt;
  if (!Number.isFinite(lifetime) || lifetime <= 0) return null;
  return expiresAt - Math.min(MAX_RENEWAL_LEAD_MS, lifetime / 3);
}

export function isDue(credential: Credential, now: number): boolean {
  return credential.renewAt !== null && now >= credential.renewAt;
}

/** `getToken` answering 401 or 403: the person (or key) is signed out, asking again will not help. */
export function isSignedOutAnswer(error: unknown): boolean {
  return error instanceof HttpError && (error.status === 401 || error.status === 403);
}

/**
 * What the client does after the server closed its socket with `code`:
 * - `fatal`: the request itself is wrong; retrying cannot help (status `error`);
 * - `signed-out`: the credential is gone and there is no `getToken` to ask for another;
 * - `reauthenticate`: the credential expired or was revoked: ask `getToken` again, reconnect;
 * - `reconnect-now`: the server is restarting on purpose: another instance takes us now;
 * - `retry`: anything else: reconnect after the backoff.
 */
export type CloseAction = 'fatal' | 'signed-out' | 'reauthenticate' | 'reconnect-now' | 'retry';

const FATAL_CLOSE_CODES: ReadonlySet<number> = new Set([
  CloseCode.badRequest,
  CloseCode.forbidden,
  CloseCode.messageTooLarge,
]);

export function closeAction(code: number, canRenew: boolean): CloseAction {
  if (code === CloseCode.unauthorized) return canRenew ? 'reauthenticate' : 'signed-out';
  if (FATAL_CLOSE_CODES.has(code)) return 'fatal';
  if (code === CloseCode.serviceRestart) return 'reconnect-now';
  return 'retry';
}
