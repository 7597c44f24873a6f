import type { BuildEvent } from '#contracts';

/** What one `events` frame carries: every seq of fromSeq..toSeq, minus superseded events. */
export interface EventBatch {
  fromSeq: number;
  toSeq: number;
  events: BuildEvent[];
}

export interface CoalescerOptions {
  /** The window of the rate rule below; 0 sends every push at once. */
  windowMs: number;
  /** Frames a room may send at once within any window; 1 is the contract's pure leading edge. */
  framesPerWindow: number;
}

/** Events whose frame should never wait: they change what people look at most. */
const URGENT: ReadonlySet<BuildEvent['type']> = new Set(['todos.updated', 'session.finished']);

/**
 * Only the last `todos.updated` of a run of events matters: each one replaces the whole list,
 * and nothing else in the fold reads the list. Dropping the others keeps the batch lossless.
 */
export function dropSupersededTodos(events: BuildEvent[]): BuildEvent[] {
  let last = -1;
  let count = 0;
  events.forEach((event, i) => {
    if (event.type !== 'todos.updated') return;
    last = i;
    count += 1;
  });
  if (count <= 1) return events;
  return events.filter((event, i) => event.type !== 'todos.updated' || i === last);
}

/**
 * Merges one room's events into frames. A frame goes out at once while the room has sent
 * fewer than `framesPerWindow` frames in the last `windowMs` (so sparse streams never wait);
 * beyond that, events wait and merge until the window allows the next frame. `todos.updated`
 * and `session.finished` always flush at once. Pure logic plus one timer: the caller gets
 * every seq it pushed, in order, in exactly one batch.
 */
export class Coalescer {
  private pending: BuildEvent[] = [];
  private fromSeq = 0;
  private toSeq = 0;
  /** Times of the latest flushes, oldest first, at most framesPerWindow of them. */
  private readonly recentFlushes: number[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: CoalescerOptions,
    private readonly emit: (batch: EventBatch) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** `events` must continue the seqs pushed before, in ascending order. */
  push(events: BuildEvent[]): void {
    if (events.length === 0) return;
    if (this.pending.length === 0) this.fromSeq = events[0].seq;
    this.pending.push(...events);
    this.toSeq = events[events.length - 1].seq;
    const urgent = events.some((event) => URGENT.has(event.type));
    if (urgent || this.hasFreeSlot()) this.flush();
    else this.schedule();
  }

  /** Sends whatever is pending now (shutdown, tests). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0) return;
    const batch: EventBatch = {
      fromSeq: this.fromSeq,
      toSeq: this.toSeq,
      events: dropSupersededTodos(this.pending),
    };
    this.pending = [];
    this.recentFlushes.push(this.now());
    if (this.recentFlushes.length > this.options.framesPerWindow) this.recentFlushes.shift();
    this.emit(batch);
  }

  get hasPending(): boolean {
    return this.pending.length > 0;
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = [];
  }

  private hasFreeSlot(): boolean {
    if (this.options.windowMs === 0) return true;
    if (this.recentFlushes.length < this.options.framesPerWindow) return true;
    return this.now() - this.recentFlushes[0] >= this.options.windowMs;
  }

  private schedule(): void {
    if (this.timer) return;
    const wait = Math.max(0, this.recentFlushes[0] + this.options.windowMs - this.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, wait);
  }
}
