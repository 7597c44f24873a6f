import type { WebSocket } from 'ws';
import type { ServerMessage } from '#contracts';
import type { SocketAuth } from '../auth/socket-auth.js';

const TEXT_FRAME = { binary: false } as const;

/**
 * One browser (or SDK) socket and the little the gateway keeps about it. Kept small on
 * purpose: an idle connection should cost a few kilobytes.
 */
export class ClientConnection {
  /** Last time the peer showed a sign of life (a message or a pong). */
  lastSeenAt = Date.now();
  private windowStartedAt = 0;
  private messagesInWindow = 0;
  /** Room keys this socket is in. */
  readonly rooms = new Set<string>();
  /** The tail of this socket's catch-ups (see `oneAtATime`). */
  private catchUps: Promise<unknown> = Promise.resolve();
  /** Who this socket is (see auth/socket-auth.ts) and its deadline or expiry timer. */
  auth: SocketAuth = { phase: 'pending' };
  authTimer: NodeJS.Timeout | undefined;
  /** The connect URL's subscription: it waits until the socket is authenticated. */
  connectSubscription: { projectId: string; sessionId?: string; since?: number } | undefined;
  /** While a credential is being checked, the messages after it wait here (see `inTurn`). */
  private held: Promise<void> | undefined;

  constructor(
    readonly socket: WebSocket,
    private readonly maxBufferedBytes: number,
  ) {}

  get isOpen(): boolean {
    return this.socket.readyState === this.socket.OPEN;
  }

  /**
   * Whether a frame of `bytes` may be queued now: when it keeps the socket within its limit,
   * or when the socket has drained (then a frame holding one event bigger than the frame
   * budget still goes out, alone). So what waits for one socket never passes the limit
   * plus one event, and a socket that reads always gets its next frame.
   */
  canQueue(bytes: number): boolean {
    return this.socket.bufferedAmount + bytes <= this.maxBufferedBytes || this.hasDrained;
  }

  /** Below a quarter of the limit: a paused socket catches up again. */
  get hasDrained(): boolean {
    return this.socket.bufferedAmount <= this.maxBufferedBytes / 4;
  }

  /**
   * Sends a frame serialized once for everyone; returns its size in bytes. A Buffer goes out
   * as a text frame without being encoded again for every socket.
   */
  sendFrame(frame: string | Buffer): number {
    if (!this.isOpen) return 0;
    this.socket.send(frame, TEXT_FRAME);
    return frame.length;
  }

  send(message: ServerMessage): number {
    return this.sendFrame(JSON.stringify(message));
  }

  /**
   * Runs this socket's catch-ups (reads of Postgres for its rooms) one after the other. The
   * rooms of a drained socket resume together; run at once, each would read a page that
   * only the first could send before the buffer was full again.
   */
  oneAtATime<T>(task: () => Promise<T>): Promise<T> {
    const run = this.catchUps.then(task, task);
    this.catchUps = run.catch(() => undefined);
    return run;
  }

  /** True while a credential of this socket is being checked (or messages wait behind one). */
  get isChecking(): boolean {
    return this.held !== undefined;
  }

  /**
   * Runs the handling of one client message in arrival order: at once, unless a credential
   * check is in flight, then after it (and what waits before). A task that returns a promise
   * (a credential check) holds the ones after it until it settles, so a `subscribe` sent right
   * after `auth` is judged with the new credential.
   */
  inTurn(task: () => unknown): void {
    if (this.held === undefined) {
      const result = task();
      if (result instanceof Promise) this.hold(result);
      return;
    }
    this.hold(this.held.then(task));
  }

  private hold(work: Promise<unknown>): void {
    const settled = work.then(
      () => undefined,
      () => undefined,
    );
    this.held = settled;
    void settled.then(() => {
      if (this.held === settled) this.held = undefined;
    });
  }

  /** Counts one client message; false once the socket went over `limit` per 10 s. */
  countMessage(limit: number, now = Date.now()): boolean {
    this.lastSeenAt = now;
    if (now - this.windowStartedAt >= 10_000) {
      this.windowStartedAt = now;
      this.messagesInWindow = 0;
    }
    this.messagesInWindow += 1;
    return this.messagesInWindow <= limit;
  }

  close(code: number, reason: string): void {
    if (this.socket.readyState === this.socket.CLOSED) return;
    // Close reasons are limited to 123 bytes by the protocol.
    let short = reason;
    while (Buffer.byteLength(short) > 123) short = short.slice(0, -1);
    this.socket.close(code, short);
  }
}
