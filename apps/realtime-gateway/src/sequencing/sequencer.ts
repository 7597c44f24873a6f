import type { BuildEvent, CommittedEventsNotice } from '#contracts';

/** What the room does next, in order (see Sequencer). */
export type SequencerStep =
  /** Events that continue `lastSeq` (already advanced to `toSeq`): hand them on. */
  | { kind: 'events'; events: BuildEvent[]; toSeq: number }
  /** Postgres has seqs beyond `lastSeq`: read them (with readPage), then call readEnded. */
  | { kind: 'read' }
  /** A read begun after this range was announced still did not reach it: the audit retries. */
  | { kind: 'unreadable'; fromSeq: number; toSeq: number };

/** A message that waits for the room to open or for a read (`readBy`: that read's number). */
interface Waiting {
  message: CommittedEventsNotice;
  readBy: number;
}

/**
 * A session room's position in the log: `lastSeq`, the highest seq taken in, gap-free from 1.
 * Published ranges that continue it are taken; one that does not (a gap, or a notice without
 * events, as Postgres NOTIFY sends) waits in the inbox while the room reads Postgres; ranges
 * published while the room is closed or reading wait too, and are drained in seq order when
 * the read ends. Pure: it decides, the room does the reading (like centrifuge's
 * internal/recovery). Every seq comes out once, in order.
 */
export class Sequencer {
  private seq = 0;
  private opened = false;
  private inbox: Waiting[] = [];
  /** How many reads of Postgres have begun (a read's generation). */
  private reads = 0;
  private reading = false;

  get lastSeq(): number {
    return this.seq;
  }

  get isReading(): boolean {
    return this.reading;
  }

  /** The room is subscribed and knows the latest seq: takes what waited meanwhile. */
  open(latestSeq: number): SequencerStep[] {
    this.seq = latestSeq;
    this.opened = true;
    return this.drain(false);
  }

  /** A published range: taken now, or kept until the room is open and not reading. */
  receive(message: CommittedEventsNotice): SequencerStep[] {
    if (!this.opened || this.reading) {
      this.wait(message);
      return [];
    }
    return this.take(message);
  }

  /**
   * Asks for a read of Postgres beyond `lastSeq` (a reconnect, the audit): true when the
   * caller must run it, false when the room is not open yet or already reading.
   */
  beginRead(): boolean {
    if (!this.opened || this.reading) return false;
    this.reading = true;
    this.reads += 1;
    return true;
  }

  /** Events read from Postgres after `lastSeq`: returns the ones not taken yet. */
  readPage(events: BuildEvent[]): BuildEvent[] {
    const fresh = events.filter((event) => event.seq > this.seq);
    if (fresh.length > 0) this.seq = fresh[fresh.length - 1].seq;
    return fresh;
  }

  /** The read is over (done or failed): takes the messages that waited for it. */
  readEnded(): SequencerStep[] {
    this.reading = false;
    return this.drain(true);
  }

  private take(message: CommittedEventsNotice): SequencerStep[] {
    if (message.toSeq <= this.seq) return [];
    if (message.events === undefined || message.fromSeq > this.seq + 1) {
      // The events are in Postgres: announced without them (NOTIFY), or a message before
      // this one was lost (or is late). Postgres has everything up to message.toSeq.
      this.wait(message);
      return this.beginRead() ? [{ kind: 'read' }] : [];
    }
    const events = message.events.filter((event) => event.seq > this.seq);
    this.seq = message.toSeq;
    return [{ kind: 'events', events, toSeq: message.toSeq }];
  }

  /** The message waits for the next read, whose number is `reads + 1`. */
  private wait(message: CommittedEventsNotice): void {
    this.inbox.push({ message, readBy: this.reads + 1 });
  }

  /**
   * Takes the messages that waited, in seq order, until one starts a read (the rest wait for
   * it). A message whose seqs Postgres should hold (a notice without events, or one after a
   * gap) that a read begun after it arrived still did not reach is dropped: that read failed,
   * and the audit reads again. One that arrived during the read (committed after it began)
   * starts another read.
   */
  private drain(afterRead: boolean): SequencerStep[] {
    const waiting = this.inbox.sort((a, b) => a.message.fromSeq - b.message.fromSeq);
    this.inbox = [];
    const steps: SequencerStep[] = [];
    for (const [index, { message, readBy }] of waiting.entries()) {
      if (this.reading) {
        this.inbox.push(...waiting.slice(index));
        break;
      }
      const needsRead = message.events === undefined || message.fromSeq > this.seq + 1;
      if (afterRead && message.toSeq > this.seq && needsRead && this.reads >= readBy) {
        steps.push({ kind: 'unreadable', fromSeq: this.seq + 1, toSeq: message.toSeq });
        continue;
      }
      steps.push(...this.take(message));
    }
    return steps;
  }
}
