import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { Injectable } from '@nestjs/common';
import { isFinishedStatus } from '#contracts';
import { AppConfig } from '#config';
import { BuildReadModel, type SnapshotVersion } from '#persistence';
import { ByteLru } from './byte-lru.js';
import { chooseEncoding, SNAPSHOT_FORMAT, snapshotEtag, type SnapshotEncoding } from './snapshot-http.js';

/** A snapshot's validator and whether it can still change. */
export interface SnapshotValidator {
  seq: number;
  etag: string;
  finished: boolean;
}

export interface SnapshotBody extends SnapshotValidator {
  encoding: SnapshotEncoding;
  bytes: Buffer;
}

/** One built snapshot: its JSON once, each content-coding compressed once when first asked. */
interface Entry extends SnapshotValidator {
  identity: Buffer;
  encoded: Map<Exclude<SnapshotEncoding, 'identity'>, Promise<Buffer>>;
  bytes: number;
}

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);

// Measured in bench/hydration: on a 1.8 MiB snapshot these cost ~10 ms in the thread pool and
// shrink it ~20×; higher levels cost several times more for a few percent.
const COMPRESS: Record<Exclude<SnapshotEncoding, 'identity'>, (body: Buffer) => Promise<Buffer>> = {
  br: (body) =>
    brotli(body, {
      params: {
        [zlib.constants.BROTLI_PARAM_QUALITY]: 4,
        [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
        [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length,
      },
    }),
  gzip: (body) => gzip(body, { level: 4 }),
};

/**
 * Snapshots over HTTP. Each request reads the session's version (one row); a snapshot built
 * at that version is reused, else one is built (concurrent requests for a session share
 * one build). The latest snapshot of each session is kept, bounded by SNAPSHOT_CACHE_BYTES:
 * a finished session's never changes, a running one's serves everyone until the next commit.
 */
@Injectable()
export class SnapshotResponses {
  private readonly cache: ByteLru<Entry>;
  private readonly building = new Map<string, Promise<Entry | null>>();
  private readonly outputPreviewChars: number;
  /** Everything besides the version that shapes the body (part of every validator). */
  private readonly variant: string;

  constructor(
    private readonly readModel: BuildReadModel,
    config: AppConfig,
  ) {
    this.cache = new ByteLru(config.snapshots.cacheBytes);
    this.outputPreviewChars = config.snapshots.outputPreviewChars;
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
    const encoding = chooseEncoding(acceptedEncodings, entry.identity.length);
    const bytes = encoding === 'identity' ? entry.identity : await this.encoded(key, entry, encoding);
    const { seq, etag, finished } = entry;
    return { seq, etag, finished, encoding, bytes };
  }

  private async entry(
    key: string,
    projectId: string,
    sessionId: string,
    current: SnapshotValidator,
  ): Promise<Entry | null> {
    const cached = this.cache.get(key);
    if (cached && isAsNew(cached, current)) return cached;
    const joined = await (this.building.get(key) ?? this.build(key, projectId, sessionId));
    // A build already under way may have read before `current` was committed: then read again.
    if (joined === null || isAsNew(joined, current)) return joined;
    return this.build(key, projectId, sessionId);
  }

  private build(key: string, projectId: string, sessionId: string): Promise<Entry | null> {
    const building = (async () => {
      const text = await this.readModel.getSnapshotJson(projectId, sessionId, {
        outputPreviewChars: this.outputPreviewChars,
      });
      if (!text) return null;
      const identity = Buffer.from(text.json);
      const entry: Entry = {
        ...this.validatorOf(text),
        identity,
        encoded: new Map(),
        bytes: identity.length,
      };
      const cached = this.cache.get(key);
      if (!cached || cached.seq <= entry.seq) this.cache.set(key, entry, entry.bytes);
      return entry;
    })().finally(() => {
      if (this.building.get(key) === building) this.building.delete(key);
    });
    this.building.set(key, building);
    return building;
  }

  /** Compressed once per entry; the cache counts the compressed copy too. */
  private encoded(
    key: string,
    entry: Entry,
    encoding: Exclude<SnapshotEncoding, 'identity'>,
  ): Promise<Buffer> {
    let pending = entry.encoded.get(encoding);
    if (!pending) {
      pending = COMPRESS[encoding](entry.identity);
      entry.encoded.set(encoding, pending);
      pending.then(
        (compressed) => {
          entry.bytes += compressed.length;
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
    };
  }
}

/** Whether `entry` reflects at least the version `current` names (newer is fine: seqs only grow). */
function isAsNew(entry: SnapshotValidator, current: SnapshotValidator): boolean {
  return entry.etag === current.etag || entry.seq > current.seq;
}
