import type { EventFrame } from '../coalescing/frame-encoder.js';
import { FrameHistory } from './frame-history.js';
import { frame } from './test/frames.js';
const ranges = (frames: readonly EventFrame[] | undefined) =>
  frames?.map(({ batch }) => [batch.fromSeq, batch.toSeq]);

describe('FrameHistory', () => {
  it('gives a socket behind it the frames from the one holding its next seq', () => {
    const history = new FrameHistory(100);
    history.reset(4);
    for (const f of [frame(5, 6), frame(7, 9), frame(10, 10)]) history.append(f);
    expect(history.firstSeq).toBe(5);
    expect(ranges(history.after(4))).toEqual([
      [5, 6],
      [7, 9],
      [10, 10],
    ]);
    // Seq 8 is inside a frame: that frame comes first (the room sends the rest of it).
    expect(ranges(history.after(7))).toEqual([
      [7, 9],
      [10, 10],
    ]);
    expect(ranges(history.after(9))).toEqual([[10, 10]]);
  });

  it('has nothing for a socket that is up to date, and sends one it cannot serve to Postgres', () => {
    const history = new FrameHistory(100);
    history.reset(4);
    expect(history.after(4)).toEqual([]);
    expect(history.after(3)).toBeUndefined();
    history.append(frame(5, 6));
    expect(history.after(6)).toEqual([]);
    expect(history.after(3)).toBeUndefined();
  });

  it('lets the oldest frames go beyond its byte limit, never the newest', () => {
    const history = new FrameHistory(25);
    history.reset(0);
    history.append(frame(1, 1, 10));
    history.append(frame(2, 2, 10));
    history.append(frame(3, 3, 10));
    expect(history.firstSeq).toBe(2);
    expect(history.heldBytes).toBe(20);
    expect(history.after(0)).toBeUndefined();
    expect(ranges(history.after(1))).toEqual([
      [2, 2],
      [3, 3],
    ]);
    history.append(frame(4, 4, 100));
    expect(ranges(history.after(3))).toEqual([[4, 4]]);
    expect(history.heldBytes).toBe(100);
  });

  it('starts anew from a frame that does not continue it, and ignores one it has', () => {
    const history = new FrameHistory(100);
    history.reset(0);
    history.append(frame(1, 2));
    history.append(frame(1, 2));
    expect(ranges(history.after(0))).toEqual([[1, 2]]);
    history.append(frame(5, 6));
    expect(history.firstSeq).toBe(5);
    expect(history.after(2)).toBeUndefined();
  });

  it('takes frames read from Postgres that end just before it, the newest that fit', () => {
    const history = new FrameHistory(35);
    history.reset(6);
    history.append(frame(7, 8));
    // Not adjacent (seq 6 missing): not kept.
    history.prepend([frame(3, 5)]);
    expect(history.firstSeq).toBe(7);
    // With a gap inside: only the frames after the gap.
    history.prepend([frame(1, 2), frame(4, 6)]);
    expect(ranges(history.after(3))).toEqual([
      [4, 6],
      [7, 8],
    ]);
    history.prepend([frame(1, 1), frame(2, 2), frame(3, 3)]);
    // Full (35 bytes): the older two stay out; the newer seqs are never pushed out.
    expect(ranges(history.after(2))).toEqual([
      [3, 3],
      [4, 6],
      [7, 8],
    ]);
    expect(history.after(1)).toBeUndefined();
    expect(history.heldBytes).toBe(30);
  });

  it("joins one catch-up's reads to it once one ends just before it, the newest that fit", () => {
    const history = new FrameHistory(30);
    history.reset(10);
    history.append(frame(11, 11));
    // Reads that end before seq 10 are kept by the catch-up, not by the history.
    let read = history.prependRead([], [frame(1, 2), frame(3, 4)]);
    read = history.prependRead(read, [frame(5, 6)]);
    expect(ranges(read)).toEqual([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(history.firstSeq).toBe(11);
    // The read that reaches the history: the run, trimmed to 30 bytes, then what the history has room for.
    read = history.prependRead(read, [frame(7, 10)]);
    expect(ranges(read)).toEqual([
      [3, 4],
      [5, 6],
      [7, 10],
    ]);
    expect(ranges(history.after(4))).toEqual([
      [5, 6],
      [7, 10],
      [11, 11],
    ]);
    // A read that does not continue the run starts it anew; the newest frame stays, however big.
    expect(ranges(history.prependRead(read, [frame(20, 20, 100)]))).toEqual([[20, 20]]);
  });
});
