import { repeatedBatch, summaryMayHaveChanged } from './repeated-batch.js';

const BATCH = { id: '5f0c6f0e-2d4b-4d8e-9a51-0d1f6c2b7a11', expectedSeq: 3 };
const OTHER = '0b7e5a3c-93a4-4c43-8f7e-6b2a4d9e1c55';

describe('repeatedBatch', () => {
  it("is the batch's range when the session's latest write was this batch (its answer was lost)", () => {
    expect(repeatedBatch({ last_batch_id: BATCH.id, last_seq: 7 }, BATCH)).toEqual({ fromSeq: 4, toSeq: 7 });
  });

  it('is a normal append when the latest write was another batch, or one without a batch', () => {
    expect(repeatedBatch({ last_batch_id: OTHER, last_seq: 3 }, BATCH)).toBeNull();
    expect(repeatedBatch({ last_batch_id: null, last_seq: 3 }, BATCH)).toBeNull();
    expect(repeatedBatch({ last_batch_id: null, last_seq: 0 }, BATCH)).toBeNull();
  });

  it('is a normal append when another writer appended meanwhile (the seq moved, the id is not ours)', () => {
    expect(repeatedBatch({ last_batch_id: OTHER, last_seq: 5 }, BATCH)).toBeNull();
    expect(repeatedBatch({ last_batch_id: null, last_seq: 4 }, BATCH)).toBeNull();
  });

  it('is a normal append without a batch, whatever the row says', () => {
    expect(repeatedBatch({ last_batch_id: BATCH.id, last_seq: 7 }, undefined)).toBeNull();
  });
});

describe('summaryMayHaveChanged', () => {
  it('is true when a repeated batch holds an event that can change the summary', () => {
    for (const type of ['session.started', 'todos.updated', 'session.finished'] as const) {
      expect(summaryMayHaveChanged([{ type: 'message' }, { type }])).toBe(true);
    }
  });

  it('is false for messages and tool calls only, and for no event', () => {
    expect(
      summaryMayHaveChanged([{ type: 'message' }, { type: 'tool.started' }, { type: 'tool.finished' }]),
    ).toBe(false);
    expect(summaryMayHaveChanged([])).toBe(false);
  });
});
