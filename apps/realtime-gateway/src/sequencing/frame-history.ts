import type { EventFrame } from '../coalescing/frame-encoder.js';

/**
 * A session room's latest `events` frames, as they were serialized for its sockets: one run
 * of seqs with no gap, ending at the last seq the room flushed, up to `maxBytes` (the oldest
 * frames go first; the newest always stays). A socket that fell behind (it joined with an
 * older `since`, or it was paused while its buffer drained) is caught up from these frames,
 * sent as they are, instead of reading Postgres and serializing the same events again for
 * itself: with 1,000 slow sockets, that was a thousand reads of the same log. Frames read
 * from Postgres for the seqs just before the history extend it backwards, so the next socket
 * that needs them finds them here. Pure: the room does the sending and the reading.
 */
export class FrameHistory {
  private frames: EventFrame[] = [];
  private bytes = 0;
  /** The last seq the history covers (the room's flushed seq). */
  private end = 0;

  constructor(private readonly maxBytes: number) {}

  /** The first seq the history holds (end + 1 when it holds none). */
  get firstSeq(): number {
    return this.frames.length > 0 ? this.frames[0].batch.fromSeq : this.end + 1;
  }

  get heldBytes(): number {
    return this.bytes;
  }

  /** Starts empty after `seq` (the room's position when it opened). */
  reset(seq: number): void {
    this.frames = [];
    this.bytes = 0;
    this.end = seq;
  }

  /** A frame the room flushed: it continues the history (one that does not starts it anew). */
  append(frame: EventFrame): void {
    if (frame.batch.toSeq <= this.end) return;
    if (frame.batch.fromSeq !== this.end + 1) this.reset(frame.batch.fromSeq - 1);
    this.frames.push(frame);
    this.bytes += frame.frame.length;
    this.end = frame.batch.toSeq;
    while (this.bytes > this.maxBytes && this.frames.length > 1) {
      this.bytes -= this.frames.shift()!.frame.length;
    }
  }

  /**
   * Frames read from Postgres, in seq order with no gap: kept when they end just before the
   * history's first seq, the newest of them as far as they fit in what is left of `maxBytes`
   * (older seqs never push newer ones out).
   */
  prepend(frames: readonly EventFrame[]): void {
    if (frames.length === 0 || frames[frames.length - 1].batch.toSeq !== this.firstSeq - 1) return;
    let start = frames.length;
    let bytes = 0;
    while (start > 0) {
      const frame = frames[start - 1];
      if (start < frames.length && frame.batch.toSeq !== frames[start].batch.fromSeq - 1) break;
      if (this.bytes + bytes + frame.frame.length > this.maxBytes) break;
      bytes += frame.frame.length;
      start -= 1;
    }
    this.frames.unshift(...frames.slice(start));
    this.bytes += bytes;
  }

  /**
   * One catch-up's reads of Postgres, offered to the history as they come: `frames`, just
   * read, continue `earlier` (what the catch-up read before them; frames that do not continue
   * it start anew), and the newest of them, up to `maxBytes` (the newest frame always), go to
   * `prepend`. So the pages a catch-up read before it reached the history join it once one
   * does. Returns what was offered: the next read's `earlier`.
   */
  prependRead(earlier: readonly EventFrame[], frames: readonly EventFrame[]): EventFrame[] {
    const startsAnew =
      earlier.length > 0 &&
      frames.length > 0 &&
      earlier[earlier.length - 1].batch.toSeq !== frames[0].batch.fromSeq - 1;
    const run = startsAnew ? [...frames] : [...earlier, ...frames];
    let bytes = run.reduce((sum, { frame }) => sum + frame.length, 0);
    let start = 0;
    while (run.length - start > 1 && bytes > this.maxBytes) {
      bytes -= run[start].frame.length;
      start += 1;
    }
    const kept = run.slice(start);
    this.prepend(kept);
    return kept;
  }

  /**
   * What a socket that has every seq up to `seq` needs from the history: the frames from the
   * one that holds `seq + 1` (the first may start before it: send the rest of it), none when
   * it is up to date, undefined when the history starts after `seq + 1` (read Postgres first).
   */
  after(seq: number): readonly EventFrame[] | undefined {
    if (seq >= this.end) return [];
    if (seq + 1 < this.firstSeq) return undefined;
    // The first frame that ends after `seq` (frames are in seq order: binary search).
    let low = 0;
    let high = this.frames.length - 1;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (this.frames[middle].batch.toSeq > seq) high = middle;
      else low = middle + 1;
    }
    return this.frames.slice(low);
  }
}
