import { MemberCursor } from './member-cursor.js';
import { frame } from './test/frames.js';

describe('MemberCursor', () => {
  it('sends a live socket frames that continue its seq, the rest of ones it partly has, nothing it has', () => {
    const cursor = new MemberCursor(4, 100);
    expect(cursor.offer(frame(5, 6))).toBe('whole');
    expect(cursor.offer(frame(3, 6))).toBe('rest');
    expect(cursor.offer(frame(2, 4))).toBe('skip');
    cursor.sent(6);
    expect(cursor.seq).toBe(6);
    expect(cursor.offer(frame(5, 6))).toBe('skip');
  });

  it('sends a socket to Postgres for a frame after a gap', () => {
    expect(new MemberCursor(4, 100).offer(frame(6, 7))).toBe('gap');
  });

  it('holds the frames flushed while it catches up, and hands them back in order when it goes live', () => {
    const cursor = new MemberCursor(0, 100);
    expect(cursor.beginCatchUp()).toBe(true);
    expect(cursor.beginCatchUp()).toBe(false);
    cursor.startReading();
    const held = [frame(5, 6), frame(7, 7)];
    for (const f of held) expect(cursor.offer(f)).toBe('held');
    expect(cursor.mustReadAgain).toBe(false);
    expect(cursor.goLive()).toEqual(held);
    expect(cursor.state).toBe('live');
    expect(cursor.goLive()).toEqual([]);
  });

  it('lets a backlog over its limit go, and asks for another read', () => {
    const cursor = new MemberCursor(0, 25);
    cursor.beginCatchUp();
    cursor.startReading();
    cursor.offer(frame(1, 1, 10));
    cursor.offer(frame(2, 2, 10));
    expect(cursor.mustReadAgain).toBe(false);
    cursor.offer(frame(3, 3, 10));
    expect(cursor.mustReadAgain).toBe(true);
    // Once let go, nothing more is kept until the next read begins.
    expect(cursor.offer(frame(4, 4, 1))).toBe('held');
    cursor.startReading();
    expect(cursor.mustReadAgain).toBe(false);
    cursor.offer(frame(5, 5, 1));
    expect(cursor.goLive().map((f) => f.batch.fromSeq)).toEqual([5]);
  });

  it('gets nothing while paused, keeps nothing, and stays paused when its catch-up ends', () => {
    const cursor = new MemberCursor(0, 100);
    cursor.beginCatchUp();
    cursor.offer(frame(1, 1));
    cursor.pause();
    expect(cursor.offer(frame(1, 2))).toBe('skip');
    cursor.endCatchUp();
    expect(cursor.state).toBe('paused');
    expect(cursor.beginCatchUp()).toBe(true);
    expect(cursor.goLive()).toEqual([]);
  });

  it('is live again when a catch-up ends without going live', () => {
    const cursor = new MemberCursor(0, 100);
    cursor.beginCatchUp();
    cursor.endCatchUp();
    expect(cursor.state).toBe('live');
    expect(cursor.offer(frame(1, 1))).toBe('whole');
  });
});
