import type { EventFrame } from '../coalescing/frame-encoder.js';

/** What a room does with one of its frames for one socket (see MemberCursor.offer). */
export type Offer =
  /** Kept in the backlog (or let go, when the backlog outgrew its limit). */
  | 'held'
  /** Nothing to send: the socket is paused, or already has these seqs. */
  | 'skip'
  /** The frame starts after a gap: catch the socket up from Postgres. */
  | 'gap'
  /** The frame continues the socket's seq: send it as it is. */
  | 'whole'
  /** The socket already has the start of the frame (it caught up past it): send the rest. */
  | 'rest';

/**
 * One socket's position in a session room. `seq` is the last seq it has been sent: a socket
 * is never sent a seq twice, and never a seq after a gap. It is `live` (gets the room's
 * frames), `catching-up` (reading Postgres; the room's frames wait in its backlog) or
 * `paused` (its socket is backed up; it gets nothing until it drains). Pure state: the room
 * does the sending and the reading.
 */
export class MemberCursor {
  state: 'live' | 'catching-up' | 'paused' = 'live';
  private held: EventFrame[] = [];
  private heldBytes = 0;
  /** The backlog outgrew its limit and was let go: the catch-up must read Postgres again. */
  private dropped = false;

  constructor(
    private position: number,
    /** Bytes of frames a catching-up socket may keep (its socket's limit). */
    private readonly maxBacklogBytes: number,
  ) {}

  get seq(): number {
    return this.position;
  }

  /** Where one of the room's frames goes for this socket. */
  offer(frame: EventFrame): Offer {
    const { batch } = frame;
    if (this.state === 'catching-up') {
      this.hold(frame);
      return 'held';
    }
    if (this.state === 'paused' || batch.toSeq <= this.position) return 'skip';
    if (batch.fromSeq > this.position + 1) return 'gap';
    return batch.fromSeq === this.position + 1 ? 'whole' : 'rest';
  }

  /** The socket was sent every seq up to `toSeq`. */
  sent(toSeq: number): void {
    this.position = toSeq;
  }

  /** The socket is backed up: it gets nothing, and keeps nothing, until it drains. */
  pause(): void {
    this.state = 'paused';
    this.clearBacklog();
  }

  /** Starts a catch-up; false when one is running already (one at a time per socket). */
  beginCatchUp(): boolean {
    if (this.state === 'catching-up') return false;
    this.state = 'catching-up';
    return true;
  }

  /** A read of Postgres begins: the frames kept so far are older than what it will read. */
  startReading(): void {
    this.clearBacklog();
  }

  /** Whether the backlog was let go while Postgres was read: read again. */
  get mustReadAgain(): boolean {
    return this.dropped;
  }

  /** The catch-up read everything: the socket is live, and gets the backlog first. */
  goLive(): EventFrame[] {
    const backlog = this.held;
    this.clearBacklog();
    this.state = 'live';
    return backlog;
  }

  /** The catch-up ended without going live (it stopped or failed): it is not catching up. */
  endCatchUp(): void {
    if (this.state === 'catching-up') this.state = 'live';
  }

  /** A backlog bigger than the limit is let go instead (its seqs are in the log). */
  private hold(frame: EventFrame): void {
    if (this.dropped) return;
    this.held.push(frame);
    this.heldBytes += frame.frame.length;
    if (this.heldBytes > this.maxBacklogBytes) {
      this.clearBacklog();
      this.dropped = true;
    }
  }

  private clearBacklog(): void {
    this.held = [];
    this.heldBytes = 0;
    this.dropped = false;
  }
}
