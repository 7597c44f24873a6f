import type { BuildEvent } from '#contracts';
import { FrameEncoder } from './frame-encoder.js';

const at = '2026-11-23T10:00:00.000Z';
const event = (seq: number, text = `m${seq}`): BuildEvent => ({
  type: 'message',
  data: { role: 'assistant', text },
  seq,
  at,
});

describe('FrameEncoder', () => {
  it('encodes a batch as one `events` frame that parses back to it', () => {
    const events = [event(3), event(4, 'ünïcode "quoted"')];
    const [only, ...more] = new FrameEncoder('p', 's', 10_000).encode({ fromSeq: 3, toSeq: 4, events });
    expect(more).toEqual([]);
    expect(JSON.parse(only.frame.toString())).toEqual({
      type: 'events',
      projectId: 'p',
      sessionId: 's',
      fromSeq: 3,
      toSeq: 4,
      events,
    });
  });

  it('cuts a batch heavier than the budget into consecutive frames', () => {
    const events = [event(1, 'x'.repeat(100)), event(2, 'y'.repeat(100)), event(3, 'z'.repeat(100))];
    const frames = new FrameEncoder('p', 's', 250).encode({ fromSeq: 1, toSeq: 3, events });
    expect(frames.map((f) => [f.batch.fromSeq, f.batch.toSeq])).toEqual([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
    expect(
      frames.flatMap((f) => (JSON.parse(f.frame.toString()) as { events: BuildEvent[] }).events),
    ).toEqual(events);
  });

  it('keeps a running average of the encoded event size', () => {
    const encoder = new FrameEncoder('p', 's', 10_000);
    expect(encoder.averageEventBytes).toBeUndefined();
    const small = event(1, 'a');
    encoder.encode({ fromSeq: 1, toSeq: 1, events: [small] });
    expect(encoder.averageEventBytes).toBe(Buffer.byteLength(JSON.stringify(small)));
    const big = event(2, 'b'.repeat(101));
    encoder.encode({ fromSeq: 2, toSeq: 2, events: [big] });
    expect(encoder.averageEventBytes).toBe(
      (Buffer.byteLength(JSON.stringify(small)) + Buffer.byteLength(JSON.stringify(big))) / 2,
    );
  });
});
