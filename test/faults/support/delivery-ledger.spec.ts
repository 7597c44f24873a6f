import type { BuildEventType } from '#contracts';
import { DeliveryLedger } from './delivery-ledger.js';

/** A log of `types`, seq 1 first. */
const log = (...types: BuildEventType[]) => new Map(types.map((type, index) => [index + 1, type]));
const plain = (count: number) => log(...Array.from({ length: count }, () => 'message' as const));

describe('DeliveryLedger', () => {
  it('counts nothing wrong for contiguous batches', () => {
    const ledger = new DeliveryLedger();
    ledger.batch(1, 3, [1, 2, 3]);
    ledger.batch(4, 4, [4]);
    expect(ledger.counts(plain(4))).toEqual({ events: 4, lost: 0, duplicated: 0, reordered: 0 });
    expect(ledger.problems).toEqual([]);
  });

  it('counts the seqs a batch after a gap skipped as lost', () => {
    const ledger = new DeliveryLedger(2);
    ledger.batch(6, 7, [6, 7]);
    expect(ledger.counts(plain(7))).toMatchObject({ lost: 3, duplicated: 0 });
    expect(ledger.seq).toBe(7);
  });

  it('counts seqs given again as duplicated, once each', () => {
    const ledger = new DeliveryLedger();
    ledger.batch(1, 5, [1, 2, 3, 4, 5]);
    ledger.batch(4, 6, [4, 5, 6]);
    expect(ledger.counts(plain(6))).toMatchObject({ lost: 0, duplicated: 2, reordered: 0 });
  });

  it('counts events out of order inside a batch as reordered', () => {
    const ledger = new DeliveryLedger();
    ledger.batch(1, 3, [1, 3, 2]);
    expect(ledger.counts(plain(3))).toMatchObject({ reordered: 1, lost: 0 });
  });

  it('accepts a todos.updated left out when a later one of the same batch supersedes it', () => {
    const ledger = new DeliveryLedger();
    ledger.batch(1, 4, [1, 3, 4]);
    expect(ledger.counts(log('session.started', 'todos.updated', 'todos.updated', 'message'))).toMatchObject({
      lost: 0,
    });
  });

  it('counts a left-out event as lost when nothing superseded it', () => {
    const ledger = new DeliveryLedger();
    ledger.batch(1, 3, [1, 3]);
    expect(ledger.counts(log('session.started', 'todos.updated', 'message'))).toMatchObject({ lost: 1 });
    const other = new DeliveryLedger();
    other.batch(1, 3, [1, 3]);
    expect(other.counts(log('session.started', 'message', 'todos.updated'))).toMatchObject({ lost: 1 });
  });

  it('starts over from a snapshot, and counts a snapshot older than the cursor', () => {
    const ledger = new DeliveryLedger();
    ledger.restart(10);
    ledger.batch(11, 11, [11]);
    expect(ledger.counts(plain(11))).toEqual({ events: 1, lost: 0, duplicated: 0, reordered: 0 });
    const older = new DeliveryLedger();
    older.batch(1, 5, [1, 2, 3, 4, 5]);
    older.restart(3);
    expect(older.counts(plain(5))).toMatchObject({ reordered: 1 });
  });

  it('gives the same counts when asked twice', () => {
    const ledger = new DeliveryLedger();
    ledger.batch(2, 2, [2]);
    expect(ledger.counts(plain(2))).toEqual(ledger.counts(plain(2)));
    expect(ledger.problems).toHaveLength(1);
  });
});
