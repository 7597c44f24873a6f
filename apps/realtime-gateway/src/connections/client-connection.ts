import type { WebSocket } from 'ws';
import type { ServerMessage } from '#contracts';

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
