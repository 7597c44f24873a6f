import type { BuildEvent } from '#contracts';

/** What one `events` frame carries: every seq of fromSeq..toSeq, minus superseded events. */
export interface EventBatch {
  fromSeq: number;
  toSeq: number;
  events: BuildEvent[];
}

export interface CoalescerOptions {
  /** How long later events are merged after a frame went out; 0 sends every push at once. */
  windowMs: number;
  /**
   * While the room's events come this far apart or more (a moving average of the gaps), the
   * room is quiet and each event goes out at once; closer together, they are merged.
   */
  quietMs: number;
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

/** Weight of the newest gap in the moving average: a few events make or end a burst. */
const GAP_WEIGHT = 0.2;

/**
 * Merges one room's events into frames, as the contract describes: the first event after a
 * quiet period goes out at once; events that follow it closely are merged until `windowMs`
 * after the last frame; `todos.updated` and `session.finished` always flush at once.
 * "Quiet" is measured, not fixed: a moving average of the gaps between the room's events of
 * at least `quietMs`. So a live agent's events (tens of milliseconds apart or more) get no
 * added delay, even when two arrive together, while a sustained stream collapses into one
 * frame per window, even when the stream stutters. Pure logic plus one timer: the caller
 * gets every seq it pushed, in order, in exactly one batch.
 */
export class Coalescer {
  private pending: BuildEvent[] = [];
  private fromSeq = 0;
  private toSeq = 0;
  private lastPushAt = -Infinity;
  private averageGapMs = Infinity;
  private lastFlushAt = -Infinity;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: CoalescerOptions,
    private readonly emit: (batch: EventBatch) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** `events` must continue the seqs pushed before, in ascending order. */
  push(events: BuildEvent[]): void {
    if (events.length === 0) return;
    const now = this.now();
    const gap = now - this.lastPushAt;
    this.averageGapMs =
      this.averageGapMs === Infinity || gap === Infinity
        ? gap
        : (1 - GAP_WEIGHT) * this.averageGapMs + GAP_WEIGHT * gap;
    this.lastPushAt = now;
    if (this.pending.length === 0) this.fromSeq = events[0].seq;
    this.pending.push(...events);
    this.toSeq = events[events.length - 1].seq;
    const urgent = events.some((event) => URGENT.has(event.type));
    const quiet = this.averageGapMs >= this.options.quietMs;
    if (urgent || quiet || now - this.lastFlushAt >= this.options.windowMs) this.flush();
    else this.schedule(now);
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
    this.lastFlushAt = this.now();
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

  private schedule(now: number): void {
    if (this.timer) return;
    this.timer = setTimeout(
      () => {
        this.timer = undefined;
        this.flush();
      },
      Math.max(0, this.lastFlushAt + this.options.windowMs - now),
    );
  }
}
