import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { Injectable } from '@nestjs/common';
import { isFinishedStatus, type BuildAuditEntry } from '#contracts';
import { AppConfig } from '#config';
import { BuildReadModel, type SnapshotVersion } from '#persistence';
import { byteLength, gzipParts, type BodyPart } from './body-parts.js';
import { ByteLru } from './byte-lru.js';
import { SnapshotDocument } from './snapshot-document.js';
import { chooseEncoding, SNAPSHOT_FORMAT, snapshotEtag, type SnapshotEncoding } from './snapshot-http.js';

/** A snapshot's validator and whether it can still change. */
export interface SnapshotValidator {
  seq: number;
  etag: string;
  finished: boolean;
  /** `session.audit` as of `seq`, as JSON text (the one part that no event says). */
  audit: string;
}

export interface SnapshotBody extends Omit<SnapshotValidator, 'audit'> {
  encoding: SnapshotEncoding;
  /** Send these one after the other. */
  chunks: Buffer[];
  length: number;
}

type Compressed = Exclude<SnapshotEncoding, 'identity'>;

/** One snapshot: its body in parts, and each content-coding made once, when first asked. */
interface Entry extends SnapshotValidator {
  /** What the next seq is folded into; dropped once finished (nothing follows). */
  document: SnapshotDocument | null;
  parts: BodyPart[];
  length: number;
  encoded: Map<Compressed, Promise<Buffer[]>>;
  bytes: number;
}

const brotli = promisify(zlib.brotliCompress);

// Measured in bench/hydration on the 5,000-call snapshot: quality 2 gives quality 4's bytes
// (~30× fewer than the JSON), as fast on a quiet machine and several times faster on a busy
// one; 5 and up cost several times more.
const BROTLI_QUALITY = 2;

const COMPRESS: Record<Compressed, (parts: BodyPart[]) => Promise<Buffer[]>> = {
  br: async (parts) => {
    const body = Buffer.concat(parts.map((part) => part.bytes));
    const compressed = await brotli(body, {
      params: {
        [zlib.constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
        [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
        [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length,
      },
    });
    return [compressed];
  },
  gzip: gzipParts,
};

/**
 * Snapshots over HTTP. Each request reads the session's version (one row); a snapshot at that
 * version is reused. Otherwise the session's cached snapshot, when it is older, is brought up
 * to date with the events since (one indexed read, the shared fold, the changed parts
 * serialized again); a session not cached (or too far behind) is read whole from Postgres.
 * Concurrent requests for a session share one build. The latest snapshot of each session is
 * kept, bounded by SNAPSHOT_CACHE_BYTES. Each process keeps its own: events never change once
 * committed, so every process folds them to the same snapshot, byte for byte.
 */
@Injectable()
export class SnapshotResponses {
  private readonly cache: ByteLru<Entry>;
  private readonly building = new Map<string, Promise<Entry | null>>();
  private readonly outputPreviewChars: number;
  private readonly foldMaxEvents: number;
  /** Everything besides the version that shapes the body (part of every validator). */
  private readonly variant: string;

  constructor(
    private readonly readModel: BuildReadModel,
    config: AppConfig,
  ) {
    this.cache = new ByteLru(config.snapshots.cacheBytes);
    this.outputPreviewChars = config.snapshots.outputPreviewChars;
    this.foldMaxEvents = config.snapshots.foldMaxEvents;
    this.variant = `format ${SNAPSHOT_FORMAT}, preview ${this.outputPreviewChars}`;
  }

  /** The validator of the session's snapshot as of now; null when the project has no such session. */
  async validator(projectId: string, sessionId: string): Promise<SnapshotValidator | null> {
    const version = await this.readModel.getSnapshotVersion(projectId, sessionId);
    return version && this.validatorOf(version);
  }

  /**
   * The snapshot, at least as new as `current` (a validator read for this request), in the
   * content-coding chosen from `acceptedEncodings`; null when the session is gone.
   */
  async body(
    projectId: string,
    sessionId: string,
    current: SnapshotValidator,
    acceptedEncodings: readonly string[],
  ): Promise<SnapshotBody | null> {
    const key = `${projectId}/${sessionId}`;
    const entry = await this.entry(key, projectId, sessionId, current);
    if (!entry) return null;
    const encoding = chooseEncoding(acceptedEncodings, entry.length, entry.finished);
    const chunks =
      encoding === 'identity'
        ? entry.parts.map((part) => part.bytes)
        : await this.encoded(key, entry, encoding);
    const { seq, etag, finished } = entry;
    return { seq, etag, finished, encoding, chunks, length: byteLength(chunks) };
  }

  private async entry(
    key: string,
    projectId: string,
    sessionId: string,
    current: SnapshotValidator,
  ): Promise<Entry | null> {
    const cached = this.cache.get(key);
    if (cached && isAsNew(cached, current)) return cached;
    const joined = await (this.building.get(key) ?? this.build(key, projectId, sessionId, current));
    // A build already under way may have been for an older version: then build again.
    if (joined === null || isAsNew(joined, current)) return joined;
    return this.build(key, projectId, sessionId, current);
  }

  private build(
    key: string,
    projectId: string,
    sessionId: string,
    current: SnapshotValidator,
  ): Promise<Entry | null> {
    const building = (async () => {
      const entry =
        (await this.folded(this.cache.get(key), projectId, sessionId, current)) ??
        (await this.readWhole(projectId, sessionId));
      if (!entry) return null;
      const cached = this.cache.get(key);
      if (!cached || cached.seq <= entry.seq) this.cache.set(key, entry, entry.bytes);
      return entry;
    })().finally(() => {
      if (this.building.get(key) === building) this.building.delete(key);
    });
    this.building.set(key, building);
    return building;
  }

  /**
   * `base` brought up to `current` with the events since: exactly the snapshot at that
   * version (the events up to its seq, its audit). Undefined when folding does not apply
   * (nothing cached to fold into, too many events, the log not as expected): read it whole.
   */
  private async folded(
    base: Entry | undefined,
    projectId: string,
    sessionId: string,
    current: SnapshotValidator,
  ): Promise<Entry | undefined> {
    const document = base?.document;
    const count = current.seq - (base?.seq ?? 0);
    if (!base || !document || count < 0 || count > this.foldMaxEvents) return undefined;
    const events =
      count === 0 ? [] : (await this.readModel.eventsAfter(projectId, sessionId, base.seq, count))?.events;
    if (events?.length !== count || (count > 0 && events[count - 1].seq !== current.seq)) return undefined;
    const audit =
      current.audit === base.audit
        ? document.snapshot.session.audit
        : (JSON.parse(current.audit) as BuildAuditEntry[]);
    return this.entryOf(document.apply(events, audit), current);
  }

  private async readWhole(projectId: string, sessionId: string): Promise<Entry | null> {
    const read = await this.readModel.getVersionedSnapshot(projectId, sessionId, {
      outputPreviewChars: this.outputPreviewChars,
    });
    if (!read) return null;
    const document = SnapshotDocument.of(read.snapshot, this.outputPreviewChars);
    return this.entryOf(document, this.validatorOf(read.version));
  }

  private entryOf(document: SnapshotDocument, validator: SnapshotValidator): Entry {
    const parts = document.parts;
    const length = byteLength(parts.map((part) => part.bytes));
    // The document's objects take about as much memory as their JSON (measured).
    const kept = validator.finished ? null : document;
    return {
      ...validator,
      document: kept,
      parts,
      length,
      encoded: new Map(),
      bytes: kept ? 2 * length : length,
    };
  }

  /** Compressed once per entry; the cache counts the compressed copy too. */
  private encoded(key: string, entry: Entry, encoding: Compressed): Promise<Buffer[]> {
    let pending = entry.encoded.get(encoding);
    if (!pending) {
      pending = COMPRESS[encoding](entry.parts);
      entry.encoded.set(encoding, pending);
      pending.then(
        (chunks) => {
          entry.bytes += byteLength(chunks);
          if (this.cache.get(key) === entry) this.cache.set(key, entry, entry.bytes);
        },
        () => entry.encoded.delete(encoding),
      );
    }
    return pending;
  }

  private validatorOf(version: SnapshotVersion): SnapshotValidator {
    return {
      seq: version.seq,
      etag: snapshotEtag(version, this.variant),
      finished: isFinishedStatus(version.status),
      audit: version.audit,
    };
  }
}

/** Whether `entry` reflects at least the version `current` names (newer is fine: seqs only grow). */
function isAsNew(entry: SnapshotValidator, current: SnapshotValidator): boolean {
  return entry.etag === current.etag || entry.seq > current.seq;
}
