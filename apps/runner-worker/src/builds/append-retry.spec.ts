import { appendRetryDelay, isTransient } from './append-retry.js';

describe('appendRetryDelay', () => {
  it('backs off from 200 ms, doubling up to 2 s, while the lease lasts', () => {
    const delays = Array.from({ length: 8 }, (_, attempt) => appendRetryDelay(attempt, 60_000));
    expect(delays).toEqual([200, 400, 800, 1600, 2000, 2000, 2000, 2000]);
    expect(appendRetryDelay(10_000, 60_000)).toBe(2000);
  });

  it('gives up when the retry would come after the lease may have run out', () => {
    expect(appendRetryDelay(0, 201)).toBe(200);
    expect(appendRetryDelay(0, 200)).toBeUndefined();
    expect(appendRetryDelay(5, 1999)).toBeUndefined();
    expect(appendRetryDelay(0, -5)).toBeUndefined(); // no lease known
  });
});

describe('isTransient', () => {
  it('retries connection failures and Postgres shutting down or starting up', () => {
    for (const code of ['ECONNREFUSED', 'ECONNRESET', '57P01', '57P03', '08006', '40001', '40P01']) {
      expect(isTransient(Object.assign(new Error('x'), { code }))).toBe(true);
    }
    expect(isTransient(new Error('Connection terminated unexpectedly'))).toBe(true);
  });

  it('does not retry what the same append would fail again', () => {
    expect(
      isTransient(Object.assign(new Error('invalid input syntax for type json'), { code: '22P02' })),
    ).toBe(false);
    expect(isTransient(new Error('Build session x has already finished'))).toBe(false);
    expect(isTransient(undefined)).toBe(false);
  });
});
