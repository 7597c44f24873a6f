import { MemorySlots } from './memory-slots.js';

describe('MemorySlots', () => {
  let now = 0;
  const slots = () => new MemorySlots(() => now);
  beforeEach(() => (now = 1_000));

  it('takes slots up to the limit, then says when the earliest one expires', async () => {
    const store = slots();
    expect(await store.take('k', 'a', 5_000, 2)).toEqual({ taken: true });
    now += 1_000;
    expect(await store.take('k', 'b', 5_000, 2)).toEqual({ taken: true });
    expect(await store.take('k', 'c', 5_000, 2)).toEqual({ taken: false, retryAfterMs: 4_000 });
    expect(await store.take('other', 'c', 5_000, 2)).toEqual({ taken: true });
  });

  it('gives a slot back on release, and by itself when it expires', async () => {
    const store = slots();
    await store.take('k', 'a', 5_000, 1);
    await store.release('k', 'a');
    expect(await store.take('k', 'b', 5_000, 1)).toEqual({ taken: true });
    now += 5_000;
    expect(await store.take('k', 'c', 5_000, 1)).toEqual({ taken: true });
  });

  it('keeps refreshed slots, and does not bring back released ones', async () => {
    const store = slots();
    await store.take('k', 'a', 5_000, 1);
    now += 4_000;
    await store.refresh('k', ['a', 'gone'], 5_000);
    now += 4_000;
    expect(await store.take('k', 'b', 5_000, 1)).toEqual({ taken: false, retryAfterMs: 1_000 });
    await store.release('k', 'a');
    await store.refresh('k', ['a'], 5_000);
    expect(await store.take('k', 'b', 5_000, 1)).toEqual({ taken: true });
  });
});
