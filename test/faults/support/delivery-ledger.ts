import type { BuildEventType } from '#contracts';

export interface DeliveryCounts {
  /** Events the watcher was given. */
  events: number;
  /** Seqs it never got (a batch after a gap, or a left-out event that was not superseded). */
  lost: number;
  /** Seqs it got again after its cursor had passed them. */
  duplicated: number;
  /** Events out of seq order inside a batch, or a snapshot older than the cursor. */
  reordered: number;
}

interface Batch {
  /** The watcher's cursor before this batch: seqs above it and up to toSeq are this batch's. */
  after: number;
  toSeq: number;
  seqs: number[];
}

/**
 * What one watcher was given, checked against the delivery promise: every seq once, in seq
 * order, none skipped. A batch covers fromSeq..toSeq and may leave out superseded
 * `todos.updated` events (docs/protocol.md), so whether a left-out seq was lost can only be
 * told at the end, from the session's whole log.
 */
export class DeliveryLedger {
  readonly problems: string[] = [];
  private cursor: number;
  private readonly batches: Batch[] = [];
  private readonly tally = { events: 0, lost: 0, duplicated: 0, reordered: 0 };
  private final: DeliveryCounts | undefined;

  constructor(startSeq = 0) {
    this.cursor = startSeq;
  }

  get seq(): number {
    return this.cursor;
  }

  /** The watcher started over from a snapshot at `seq` (its first load, or after `resync`). */
  restart(seq: number): void {
    if (seq < this.cursor) {
      this.tally.reordered += 1;
      this.problems.push(`a snapshot at seq ${seq} after cursor ${this.cursor}`);
    }
    this.cursor = seq;
  }

  /** A batch that covers fromSeq..toSeq with the events of `seqs`, in the order received. */
  batch(fromSeq: number, toSeq: number, seqs: readonly number[]): void {
    this.tally.events += seqs.length;
    if (fromSeq > this.cursor + 1) {
      this.tally.lost += fromSeq - this.cursor - 1;
      this.problems.push(
        `batch ${fromSeq}..${toSeq} after cursor ${this.cursor}: ${this.cursor + 1}..${fromSeq - 1} skipped`,
      );
    } else if (fromSeq <= this.cursor) {
      this.tally.duplicated += Math.min(toSeq, this.cursor) - fromSeq + 1;
      this.problems.push(`batch ${fromSeq}..${toSeq} after cursor ${this.cursor}: repeats seqs`);
    }
    let previous = this.cursor;
    for (const seq of seqs) {
      if (seq <= this.cursor) continue; // counted with the batch as duplicated
      if (seq <= previous || seq > toSeq || seq < fromSeq) {
        this.tally.reordered += 1;
        this.problems.push(`event ${seq} out of order in batch ${fromSeq}..${toSeq}`);
      }
      previous = Math.max(previous, seq);
    }
    this.batches.push({ after: Math.max(this.cursor, fromSeq - 1), toSeq, seqs: [...seqs] });
    this.cursor = Math.max(this.cursor, toSeq);
  }

  /**
   * The final counts. `log` maps every seq of the session to its event type: a seq a batch
   * covered but did not carry is lost unless it is a `todos.updated` that a later
   * `todos.updated` of the same batch superseded.
   */
  counts(log: ReadonlyMap<number, BuildEventType>): DeliveryCounts {
    if (this.final) return this.final;
    let leftOut = 0;
    for (const batch of this.batches) {
      const given = new Set(batch.seqs);
      const lastTodos = Math.max(0, ...batch.seqs.filter((seq) => log.get(seq) === 'todos.updated'));
      for (let seq = batch.after + 1; seq <= batch.toSeq; seq++) {
        if (given.has(seq) || (log.get(seq) === 'todos.updated' && seq < lastTodos)) continue;
        leftOut += 1;
        this.problems.push(
          `seq ${seq} (${log.get(seq) ?? 'not in the log'}) covered by a batch but never given`,
        );
      }
    }
    this.final = { ...this.tally, lost: this.tally.lost + leftOut };
    return this.final;
  }
}
