import type { FinishedStatus, NewBuildEvent, StartBuildResponse } from './contracts.js';
import type { GetToken } from './credential.js';
import { HttpError, postJson } from './http.js';
import { backoffDelay } from './options.js';
import { sleep } from './sleep.js';

export interface IngestOptions {
  /** Origin of the REST API (`/api` is appended). */
  baseUrl: string;
  projectId: string;
  /** A key or token with `builds:write` on the project (or `getToken`). */
  token?: string;
  /** Asked for a credential before each request (for its project, and its build once started). */
  getToken?: GetToken;
  fetch?: typeof fetch;
  /** A batch is sent once it holds this many events (default 100)… */
  maxBatch?: number;
  /** …or this long after its first event (default 200 ms). */
  flushIntervalMs?: number;
  /** Attempts per batch on network errors and 5xx, each with the same Idempotency-Key (default 6). */
  maxAttempts?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  random?: () => number;
  /** A fresh Idempotency-Key per batch (default crypto.randomUUID). */
  newKey?: () => string;
  /** In Node, send what is still waiting when the event loop empties (default true). */
  flushOnExit?: boolean;
}

export interface StartExternalBuild {
  agentId?: string;
  model?: string;
  prompt?: string;
}

/** The seqs one append took (both the latest seq when it took none). */
export interface IngestRange {
  fromSeq: number;
  toSeq: number;
}

export interface Ingest {
  /** The build being fed (null before `start`). */
  readonly sessionId: string | null;
  /** Creates the external build (agent `external`, running). */
  start(request?: StartExternalBuild): Promise<StartBuildResponse>;
  /** Queues events; they are sent in order, in batches. A failed batch fails the next `flush`/`finish`. */
  append(events: NewBuildEvent | readonly NewBuildEvent[]): void;
  /** Sends what is queued; the range of the last batch sent (null when nothing was). */
  flush(): Promise<IngestRange | null>;
  /** Sends what is queued, then `session.finished` with `status`: the build ends. */
  finish(status: FinishedStatus, error?: string | null): Promise<IngestRange>;
}

/**
 * A typed client for external runners (`POST …/builds` with agent `external`, then
 * `POST …/events`). Batches go one at a time, in order; a batch is retried with the same
 * Idempotency-Key, so a retry after a lost answer is appended once (the server answers it
 * as the first time).
 */
export function createIngest(options: IngestOptions): Ingest {
  return new IngestClient(options);
}

function isEventList(events: NewBuildEvent | readonly NewBuildEvent[]): events is readonly NewBuildEvent[] {
  return Array.isArray(events);
}

/** Node's process where there is one (the SDK also runs in browsers, where nothing flushes on exit). */
interface ExitHooks {
  once(event: 'beforeExit', listener: () => void): unknown;
  off(event: 'beforeExit', listener: () => void): unknown;
}
const nodeProcess = (globalThis as { process?: ExitHooks }).process;

const RETRIED = (error: unknown) => error instanceof HttpError && (error.status === 0 || error.status >= 500);

class IngestClient implements Ingest {
  sessionId: string | null = null;
  private readonly apiUrl: string;
  private readonly fetch: typeof fetch;
  private readonly maxBatch: number;
  private readonly flushIntervalMs: number;
  private readonly maxAttempts: number;
  private readonly backoff: { minBackoffMs: number; maxBackoffMs: number; random: () => number };
  private readonly newKey: () => string;
  private queued: NewBuildEvent[] = [];
  /** The batches sent so far, one after the other: each send waits for the one before. */
  private sending: Promise<IngestRange | null> = Promise.resolve(null);
  private failure: Error | null = null;
  /** Aborts the pending interval flush (a size flush or `flush()` took its events). */
  private timer: AbortController | null = null;
  private readonly onExit = () => void this.flush().catch(() => undefined);

  constructor(private readonly options: IngestOptions) {
    this.apiUrl = `${options.baseUrl.replace(/\/$/, '')}/api`;
    this.fetch = options.fetch ?? globalThis.fetch.bind(globalThis);
    this.maxBatch = options.maxBatch ?? 100;
    this.flushIntervalMs = options.flushIntervalMs ?? 200;
    this.maxAttempts = options.maxAttempts ?? 6;
    this.backoff = {
      minBackoffMs: options.minBackoffMs ?? 250,
      maxBackoffMs: options.maxBackoffMs ?? 5_000,
      random: options.random ?? Math.random,
    };
    this.newKey = options.newKey ?? (() => globalThis.crypto.randomUUID());
  }

  async start(request: StartExternalBuild = {}): Promise<StartBuildResponse> {
    if (this.sessionId !== null) throw new Error('This ingest client has already started its build');
    const started = await postJson<StartBuildResponse>(
      this.fetch,
      `${this.apiUrl}/projects/${this.options.projectId}/builds`,
      { agent: 'external', ...request },
      { token: await this.token() },
    );
    this.sessionId = started.sessionId;
    if (this.options.flushOnExit !== false) nodeProcess?.once('beforeExit', this.onExit);
    return started;
  }

  append(events: NewBuildEvent | readonly NewBuildEvent[]): void {
    const added: readonly NewBuildEvent[] = isEventList(events) ? events : [events];
    this.queued.push(...added);
    if (this.queued.length >= this.maxBatch) {
      void this.flush().catch(() => undefined); // kept in `failure` for the next flush
    } else if (this.timer === null) {
      const timer = (this.timer = new AbortController());
      void sleep(this.flushIntervalMs, timer.signal).then(() => {
        if (!timer.signal.aborted) void this.flush().catch(() => undefined);
      });
    }
  }

  flush(): Promise<IngestRange | null> {
    this.timer?.abort();
    this.timer = null;
    const batch = this.queued;
    this.queued = [];
    if (batch.length > 0) {
      this.sending = this.sending.then(
        () => this.send(batch),
        () => this.send(batch),
      );
    }
    return this.sending.then((range) => {
      if (this.failure !== null) throw this.failure;
      return range;
    });
  }

  async finish(status: FinishedStatus, error: string | null = null): Promise<IngestRange> {
    this.append({ type: 'session.finished', data: { status, error } });
    const range = await this.flush();
    nodeProcess?.off('beforeExit', this.onExit);
    return range!;
  }

  /** One batch, tried until it is answered, with one key for all its attempts. */
  private async send(events: NewBuildEvent[]): Promise<IngestRange | null> {
    if (this.failure !== null) return null; // a batch was lost: sending later ones would leave a hole
    if (this.sessionId === null) {
      this.failure = new Error('Call start() before appending events');
      return null;
    }
    const url = `${this.apiUrl}/projects/${this.options.projectId}/builds/${this.sessionId}/events`;
    const key = this.newKey();
    const never = new AbortController().signal;
    for (let attempt = 1; ; attempt++) {
      try {
        const token = await this.token();
        return await postJson<IngestRange>(
          this.fetch,
          url,
          { events },
          { token, headers: { 'idempotency-key': key } },
        );
      } catch (error) {
        if (!RETRIED(error) || attempt >= this.maxAttempts) {
          this.failure = error as Error;
          return null;
        }
        await sleep(backoffDelay(attempt, this.backoff), never);
      }
    }
  }

  private async token(): Promise<string | undefined> {
    if (!this.options.getToken) return this.options.token;
    const issued = await this.options.getToken({
      projectId: this.options.projectId,
      ...(this.sessionId === null ? {} : { sessionId: this.sessionId }),
    });
    return typeof issued === 'string' ? issued : issued.token;
  }
}
