import { WebSocket } from 'ws';
import { applyEvent, type ServerMessage, type ServerMessageMap, type Snapshot } from '#contracts';
import { TEST_ADMIN_KEY } from './credentials.js';

/**
 * How a test socket presents itself. By default it authenticates at connect with
 * `Authorization: Bearer TEST_ADMIN_KEY`; `key` names another Bearer credential (API key or
 * token), `token` goes in `?token=`, `cookie` is sent as the Cookie header (either one
 * instead of the default key), and `anonymous` sends nothing (the socket must send `auth`).
 */
export interface ConnectAuth {
  key?: string;
  token?: string;
  cookie?: string;
  anonymous?: boolean;
  /** An Origin header, as a browser sends. */
  origin?: string;
}

/** The ws options and URL for `auth` (also for tests that open a raw `ws` socket). */
export function authenticatedUrl(
  url: string,
  auth: ConnectAuth = {},
): { url: string; headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  if (auth.origin !== undefined) headers.origin = auth.origin;
  if (auth.anonymous) return { url, headers };
  const target = new URL(url);
  if (auth.token !== undefined) target.searchParams.set('token', auth.token);
  if (auth.cookie !== undefined) headers.cookie = auth.cookie;
  const key =
    auth.key ?? (auth.token === undefined && auth.cookie === undefined ? TEST_ADMIN_KEY : undefined);
  if (key !== undefined) headers.authorization = `Bearer ${key}`;
  return { url: target.toString(), headers };
}

/**
 * A recording WebSocket client for tests: it folds `events` batches into a snapshot with
 * the contract's `applyEvent`, and records every way delivery could go wrong (a batch that
 * skips a seq, or repeats one), so tests can assert "every seq once, in order".
 */
export class TestClient {
  readonly messages: ServerMessage[] = [];
  /** Violations of gap-free, duplicate-free delivery, as human-readable lines. */
  readonly violations: string[] = [];
  /** Last seq covered by a batch, per session. */
  cursor: number;
  state: Snapshot | undefined;
  closed: { code: number; reason: string } | undefined;
  private waiters: (() => void)[] = [];

  private constructor(
    readonly socket: WebSocket,
    options: { state?: Snapshot; since?: number },
  ) {
    this.state = options.state;
    this.cursor = options.since ?? options.state?.seq ?? 0;
    socket.on('message', (data: Buffer) => this.receive(JSON.parse(data.toString('utf8')) as ServerMessage));
    socket.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wake();
    });
  }

  /** Opens `url` (with any query) and resolves once the socket is open (see ConnectAuth for `auth`). */
  static async connect(
    url: string,
    options: { state?: Snapshot; since?: number; auth?: ConnectAuth } = {},
  ): Promise<TestClient> {
    const target = authenticatedUrl(url, options.auth);
    const socket = new WebSocket(target.url, { headers: target.headers });
    const client = new TestClient(socket, options);
    await new Promise<void>((resolve, reject) => {
      socket.once('open', () => resolve());
      socket.once('error', reject);
    });
    return client;
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** Resolves with the first recorded message (past or future) that matches, or rejects after `timeoutMs`. */
  async next<T extends keyof ServerMessageMap>(
    type: T,
    match: (message: ServerMessageMap[T]) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<ServerMessageMap[T]> {
    let found: ServerMessageMap[T] | undefined;
    await this.until(
      () => {
        found = this.messages.find(
          (message): message is ServerMessageMap[T] =>
            message.type === type && match(message as ServerMessageMap[T]),
        );
        return found !== undefined;
      },
      timeoutMs,
      `a ${type} message`,
    );
    return found!;
  }

  /** Waits until `condition` holds, re-checked on every message and on close. */
  async until(condition: () => boolean, timeoutMs = 10_000, what = 'the condition'): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `Timed out after ${timeoutMs} ms waiting for ${what}; cursor ${this.cursor}, closed ${JSON.stringify(this.closed)}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 250));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  waitForClose(timeoutMs = 10_000): Promise<{ code: number; reason: string }> {
    return this.until(() => this.closed !== undefined, timeoutMs, 'the socket to close').then(
      () => this.closed!,
    );
  }

  close(): void {
    this.socket.terminate();
  }

  private receive(message: ServerMessage): void {
    this.messages.push(message);
    if (message.type === 'events') {
      if (message.fromSeq !== this.cursor + 1) {
        this.violations.push(`batch ${message.fromSeq}..${message.toSeq} after cursor ${this.cursor}`);
      }
      for (const event of message.events) {
        if (event.seq < message.fromSeq || event.seq > message.toSeq) {
          this.violations.push(`event ${event.seq} outside its batch ${message.fromSeq}..${message.toSeq}`);
        }
        if (this.state) this.state = applyEvent(this.state, event);
      }
      this.cursor = Math.max(this.cursor, message.toSeq);
    }
    this.wake();
  }

  private wake(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

/** The HTTP status an upgrade gets (101 when the socket opens). */
export function upgradeStatus(url: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    socket.once('unexpected-response', (req, response) => {
      resolve(response.statusCode ?? 0);
      req.destroy();
    });
    socket.once('open', () => {
      resolve(101);
      socket.terminate();
    });
    socket.on('error', reject); // settled already when the request was destroyed on purpose
  });
}
