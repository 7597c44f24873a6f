import { dropSupersededTodos, type EventBatch } from './coalescer.js';

/**
 * How many bytes of events one `events` frame may carry: a quarter of what a socket may have
 * queued, so a socket below the limit can always take a frame, and one that drained (below a
 * quarter) can take one at once.
 */
export const frameBudget = (maxBufferedBytes: number): number =>
  Math.max(1, Math.floor(maxBufferedBytes / 4));

/** Events per Postgres read before anything is known about their size. */
export const FIRST_PAGE_EVENTS = 100;

/**
 * How many events one catch-up read of Postgres asks for: about a socket's buffer limit's
 * worth, at the room's average event size, between 1 and `maxEvents`. What a paused socket
 * cannot take is dropped and read again after it drained, so a read much bigger than what
 * it can take would only be thrown away (and held in memory meanwhile).
 */
export function catchUpPageEvents(
  maxBufferedBytes: number,
  averageEventBytes: number | undefined,
  maxEvents: number,
): number {
  if (averageEventBytes === undefined) return Math.min(FIRST_PAGE_EVENTS, maxEvents);
  return Math.max(1, Math.min(maxEvents, Math.floor(maxBufferedBytes / Math.max(1, averageEventBytes))));
}

/**
 * Splits a batch into consecutive batches whose events weigh at most `budget` bytes together
 * (by `sizeOf`); an event heavier than the budget travels alone. The slices cover
 * `fromSeq..toSeq` with no gap and no overlap, and each drops its own superseded
 * `todos.updated` (never across slices: every slice must leave the state right on its own).
 */
export function sliceByBytes(
  batch: EventBatch,
  budget: number,
  sizeOf: (event: EventBatch['events'][number]) => number,
): EventBatch[] {
  const slices: EventBatch[] = [];
  let start = 0;
  let bytes = 0;
  const cut = (end: number, toSeq: number) => {
    const fromSeq = slices.length === 0 ? batch.fromSeq : slices[slices.length - 1].toSeq + 1;
    slices.push({ fromSeq, toSeq, events: dropSupersededTodos(batch.events.slice(start, end)) });
    start = end;
    bytes = 0;
  };
  batch.events.forEach((event, index) => {
    const size = sizeOf(event);
    if (index > start && bytes + size > budget) cut(index, batch.events[index - 1].seq);
    bytes += size;
  });
  cut(batch.events.length, batch.toSeq);
  return slices;
}
