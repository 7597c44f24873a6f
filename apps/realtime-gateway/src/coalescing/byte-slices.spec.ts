import type { BuildEvent } from '#contracts';
import { catchUpPageEvents, FIRST_PAGE_EVENTS, frameBudget, sliceByBytes } from './byte-slices.js';

const at = '2026-12-01T10:00:00.000Z';
const message = (seq: number, text = 'x'): BuildEvent => ({
  seq,
  at,
  type: 'message',
  data: { role: 'assistant', text },
});
const todos = (seq: number): BuildEvent => ({ seq, at, type: 'todos.updated', data: { todos: [] } });
/** Each event weighs the length of its text. */
const sizeOf = (event: BuildEvent) => (event.type === 'message' ? event.data.text.length : 1);
const seqs = (events: BuildEvent[]) => events.map((event) => event.seq);

describe('sliceByBytes', () => {
  it('keeps a batch within the budget whole', () => {
    const batch = { fromSeq: 1, toSeq: 3, events: [message(1), message(2), message(3)] };
    expect(sliceByBytes(batch, 3, sizeOf)).toEqual([batch]);
  });

  it('cuts where the next event would go over the budget; slices cover the range without gap or overlap', () => {
    const events = [message(5, 'aa'), message(6, 'bb'), message(7, 'c'), message(8, 'dddd'), message(9, 'e')];
    const slices = sliceByBytes({ fromSeq: 5, toSeq: 9, events }, 4, sizeOf);
    expect(slices.map(({ fromSeq, toSeq, events: part }) => [fromSeq, toSeq, seqs(part)])).toEqual([
      [5, 6, [5, 6]],
      [7, 7, [7]],
      [8, 8, [8]],
      [9, 9, [9]],
    ]);
  });

  it('sends an event heavier than the budget alone, never an empty slice', () => {
    const events = [message(1, 'a'), message(2, 'x'.repeat(100)), message(3, 'b')];
    const slices = sliceByBytes({ fromSeq: 1, toSeq: 3, events }, 10, sizeOf);
    expect(slices.map((slice) => seqs(slice.events))).toEqual([[1], [2], [3]]);
  });

  it('keeps seqs without an event (dropped earlier) inside the range: the last slice ends at toSeq', () => {
    const events = [message(10, 'aaa'), message(12, 'bbb')];
    const slices = sliceByBytes({ fromSeq: 9, toSeq: 14, events }, 3, sizeOf);
    expect(slices.map(({ fromSeq, toSeq }) => [fromSeq, toSeq])).toEqual([
      [9, 10],
      [11, 14],
    ]);
  });

  it('drops superseded todos within a slice, never across slices', () => {
    const events = [todos(1), todos(2), message(3, 'xx'), todos(4), message(5, 'y')];
    const slices = sliceByBytes({ fromSeq: 1, toSeq: 5, events }, 4, sizeOf);
    expect(slices.map((slice) => seqs(slice.events))).toEqual([
      [2, 3],
      [4, 5],
    ]);
  });

  it('an empty batch stays one (empty) slice', () => {
    expect(sliceByBytes({ fromSeq: 4, toSeq: 6, events: [] }, 10, sizeOf)).toEqual([
      { fromSeq: 4, toSeq: 6, events: [] },
    ]);
  });
});

describe('frameBudget', () => {
  it('is a quarter of the buffer limit, at least one byte', () => {
    expect(frameBudget(1024 * 1024)).toBe(256 * 1024);
    expect(frameBudget(2)).toBe(1);
  });
});

describe('catchUpPageEvents', () => {
  it('reads about one buffer limit of events at the average size, within 1..max', () => {
    expect(catchUpPageEvents(1_000_000, 10_000, 1000)).toBe(100);
    expect(catchUpPageEvents(1_000_000, 100, 1000)).toBe(1000);
    expect(catchUpPageEvents(1_000_000, 5_000_000, 1000)).toBe(1);
    expect(catchUpPageEvents(1_000_000, 0, 1000)).toBe(1000);
  });

  it('starts small while the size of events is unknown', () => {
    expect(catchUpPageEvents(1_000_000, undefined, 1000)).toBe(FIRST_PAGE_EVENTS);
    expect(catchUpPageEvents(1_000_000, undefined, 10)).toBe(10);
  });
});
