/** How much one append may carry: a burst becomes a few transactions of this size. */
export interface GroupLimits {
  maxItems: number;
  /** Approximate: the items' own size estimates, summed. */
  maxBytes: number;
}

/** One queued item with its size estimate. */
export interface Sized<T> {
  item: T;
  bytes: number;
}

/**
 * How many items at the head of `queue` the next group takes: as many as fit the limits, and
 * always at least one (an item over `maxBytes` goes alone rather than never).
 */
export function groupSize<T>(queue: readonly Sized<T>[], limits: GroupLimits): number {
  let bytes = 0;
  let count = 0;
  for (const { bytes: size } of queue) {
    if (count === limits.maxItems || (count > 0 && bytes + size > limits.maxBytes)) break;
    bytes += size;
    count += 1;
  }
  return count;
}

/**
 * Group commit for one writer. The first item offered while idle is committed at once, alone
 * (a trickle gets no added wait); everything offered while that commit is in flight goes into
 * the next one, in offer order, within the limits. There is no timer: nothing is ever held
 * back waiting for company. `offer` resolves while fewer than `highWater` items wait, so a
 * fast producer is paced by its commits instead of filling memory.
 *
 * A commit that fails stops the group: what waits is dropped (its order after the failed
 * group could not be kept), and every later `offer` and `drain` rejects with that failure.
 */
export class GroupCommit<T> {
  private readonly queue: Sized<T>[] = [];
  private inFlight: Promise<void> | undefined;
  private failure: { error: unknown } | undefined;
  private readonly roomWaiters: (() => void)[] = [];
  private readonly idleWaiters: (() => void)[] = [];

  constructor(
    private readonly commit: (group: T[]) => Promise<void>,
    private readonly limits: GroupLimits,
    private readonly highWater = limits.maxItems * 2,
  ) {}

  get failed(): boolean {
    return this.failure !== undefined;
  }

  /** Queues `items` (in order); resolves once there is room for more, rejects after a failed commit. */
  async offer(items: readonly Sized<T>[]): Promise<void> {
    this.throwIfFailed();
    this.queue.push(...items);
    this.startNext();
    while (this.queue.length >= this.highWater && !this.failure) {
      await new Promise<void>((resolve) => this.roomWaiters.push(resolve));
    }
    this.throwIfFailed();
  }

  /** Resolves once everything offered is committed; rejects after a failed commit. */
  async drain(): Promise<void> {
    while (!this.failure && (this.inFlight || this.queue.length > 0)) {
      await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    }
    this.throwIfFailed();
  }

  /** Drops what waits and lets the commit in flight end (its outcome ignored). */
  async close(): Promise<void> {
    this.queue.length = 0;
    await this.inFlight;
  }

  private startNext(): void {
    if (this.inFlight || this.failure || this.queue.length === 0) return;
    const group = this.queue.splice(0, groupSize(this.queue, this.limits)).map((queued) => queued.item);
    this.inFlight = this.commit(group).then(
      () => this.settled(),
      (error: unknown) => {
        this.failure = { error };
        this.queue.length = 0;
        this.settled();
      },
    );
  }

  private settled(): void {
    this.inFlight = undefined;
    this.startNext();
    if (this.failure || this.queue.length < this.highWater) wake(this.roomWaiters);
    if (this.failure || !this.inFlight) wake(this.idleWaiters);
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }
}

function wake(waiters: (() => void)[]): void {
  for (const resolve of waiters.splice(0)) resolve();
}
