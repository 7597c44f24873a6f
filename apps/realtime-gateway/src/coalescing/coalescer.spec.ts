import { jest } from '@jest/globals';
import type { BuildEvent, NewBuildEvent } from '#contracts';
import { Coalescer, dropSupersededTodos, type EventBatch } from './coalescer.js';

let seq = 0;
const at = '2026-11-23T10:00:00.000Z';
const event = (body: NewBuildEvent): BuildEvent => ({ ...body, seq: ++seq, at });
const message = (): BuildEvent =>
  event({ type: 'message', data: { role: 'assistant', text: `m${seq + 1}` } });
const todos = (label: string): BuildEvent =>
  event({
    type: 'todos.updated',
    data: { todos: [{ content: label, activeForm: label, status: 'in_progress' }] },
  });
const finished = (): BuildEvent => event({ type: 'session.finished', data: { status: 'completed' } });

describe('Coalescer', () => {
  let batches: EventBatch[];
  let clock: number;
  const make = (windowMs = 200, quietMs = 25) =>
    new Coalescer(
      { windowMs, quietMs },
      (batch) => batches.push(batch),
      () => clock,
    );
  const advance = (ms: number) => {
    clock += ms;
    jest.advanceTimersByTime(ms);
  };

  beforeEach(() => {
    jest.useFakeTimers();
    batches = [];
    clock = 1_000;
    seq = 0;
  });
  afterEach(() => jest.useRealTimers());

  it('sends the first event after a quiet window at once (leading edge)', () => {
    const coalescer = make();
    coalescer.push([message()]);
    expect(batches).toEqual([{ fromSeq: 1, toSeq: 1, events: [expect.objectContaining({ seq: 1 })] }]);
  });

  it('merges later events within the window into one batch sent when the window ends', () => {
    const coalescer = make();
    coalescer.push([message()]);
    advance(10);
    coalescer.push([message()]);
    advance(10);
    coalescer.push([message(), message()]);
    expect(batches).toHaveLength(1);
    advance(179);
    expect(batches).toHaveLength(1);
    advance(1);
    expect(batches).toHaveLength(2);
    expect(batches[1]).toMatchObject({ fromSeq: 2, toSeq: 4 });
    expect(batches[1].events.map((e) => e.seq)).toEqual([2, 3, 4]);
  });

  it('sends at once again after a quiet window', () => {
    const coalescer = make();
    coalescer.push([message()]);
    advance(250);
    coalescer.push([message()]);
    expect(batches.map((b) => [b.fromSeq, b.toSeq])).toEqual([
      [1, 1],
      [2, 2],
    ]);
  });

  it('sends the first event after a burst and a quiet period at once, with what was pending', () => {
    const coalescer = make();
    for (let i = 0; i < 50; i++) {
      coalescer.push([message()]);
      advance(2);
    }
    const framesAfterBurst = batches.length;
    coalescer.push([message()]); // still in the burst: merged
    expect(batches).toHaveLength(framesAfterBurst);
    advance(1_000);
    const flushedByWindow = batches.length;
    coalescer.push([message()]); // after a second of quiet: out at once
    expect(batches).toHaveLength(flushedByWindow + 1);
    expect(batches.at(-1)?.toSeq).toBe(52);
  });

  it('keeps a sparse stream immediate even when two events arrive together', () => {
    const coalescer = make();
    for (let i = 0; i < 10; i++) {
      coalescer.push([message()]);
      advance(100);
    }
    coalescer.push([message()]);
    advance(1);
    coalescer.push([message()]);
    expect(batches.map((b) => b.toSeq).slice(-2)).toEqual([11, 12]);
  });

  it('keeps merging a sustained stream that stutters now and then', () => {
    const coalescer = make();
    for (let i = 0; i < 500; i++) {
      coalescer.push([message()]);
      advance(i % 10 === 9 ? 30 : 4); // ~150 events/s with a 30 ms hiccup every 10 events
    }
    advance(200);
    const seconds = (450 * 4 + 50 * 30) / 1000;
    expect(batches.length).toBeLessThanOrEqual(Math.ceil(seconds * 5) + 2);
  });

  it('gives a steady sparse stream (an event every 100 ms) every event without delay', () => {
    const coalescer = make();
    for (let i = 0; i < 20; i++) {
      coalescer.push([message()]);
      expect(batches).toHaveLength(i + 1);
      advance(100);
    }
  });

  it('collapses a burst into one frame per window', () => {
    const coalescer = make();
    for (let i = 0; i < 1_000; i++) {
      coalescer.push([message()]);
      advance(2); // 500 events/s for 2 s
    }
    advance(200);
    expect(batches.length).toBeLessThanOrEqual(11);
    expect(batches.at(-1)?.toSeq).toBe(1_000);
  });

  it('flushes todos.updated and session.finished at once, with what was pending before them', () => {
    const coalescer = make();
    coalescer.push([message()]);
    coalescer.push([message()]);
    coalescer.push([todos('a')]);
    expect(batches.map((b) => [b.fromSeq, b.toSeq])).toEqual([
      [1, 1],
      [2, 3],
    ]);
    coalescer.push([message()]);
    coalescer.push([finished()]);
    expect(batches.map((b) => [b.fromSeq, b.toSeq]).at(-1)).toEqual([4, 5]);
  });

  it('drops superseded todos.updated inside a batch but still covers their seqs', () => {
    const coalescer = make();
    coalescer.push([message()]);
    coalescer.push([todos('a'), message(), todos('b'), message(), todos('c')]);
    const batch = batches[1];
    expect(batch).toMatchObject({ fromSeq: 2, toSeq: 6 });
    expect(batch.events.map((e) => e.seq)).toEqual([3, 5, 6]);
    expect(batch.events.at(-1)).toMatchObject({ data: { todos: [{ content: 'c' }] } });
  });

  it('is lossless: every pushed seq is covered exactly once, in order, whatever the timing', () => {
    const coalescer = make();
    const random = (() => {
      let state = 42;
      return () => (state = (state * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    })();
    for (let i = 0; i < 2_000; i++) {
      const r = random();
      coalescer.push([r < 0.05 ? todos(`t${i}`) : r < 0.06 ? finished() : message()]);
      advance(Math.floor(random() * 30));
    }
    advance(1_000);
    let covered = 0;
    for (const batch of batches) {
      expect(batch.fromSeq).toBe(covered + 1);
      expect(batch.events.every((e) => e.seq >= batch.fromSeq && e.seq <= batch.toSeq)).toBe(true);
      covered = batch.toSeq;
    }
    expect(covered).toBe(2_000);
    expect(batches.length).toBeLessThan(2_000);
  });

  it('sends everything pushed at once when the window is 0', () => {
    const coalescer = make(0);
    coalescer.push([message()]);
    coalescer.push([message()]);
    expect(batches).toHaveLength(2);
  });

  it('flush() sends what is pending (shutdown) and dispose() cancels the timer', () => {
    const coalescer = make();
    coalescer.push([message()]);
    coalescer.push([message()]);
    coalescer.flush();
    expect(batches.map((b) => [b.fromSeq, b.toSeq])).toEqual([
      [1, 1],
      [2, 2],
    ]);
    coalescer.push([message()]);
    coalescer.dispose();
    advance(1_000);
    expect(batches).toHaveLength(2);
  });
});

describe('dropSupersededTodos', () => {
  beforeEach(() => (seq = 0));

  it('keeps only the last todos.updated and every other event', () => {
    const events = [todos('a'), message(), todos('b'), message()];
    expect(dropSupersededTodos(events).map((e) => e.seq)).toEqual([2, 3, 4]);
  });

  it('returns the same array when there is nothing to drop', () => {
    const events = [message(), todos('a')];
    expect(dropSupersededTodos(events)).toBe(events);
  });
});
