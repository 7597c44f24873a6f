import { retryAfterSeconds, windowRecord } from './window-record.js';

describe('retryAfterSeconds', () => {
  it('rounds up to whole seconds', () => {
    expect(retryAfterSeconds(59_001)).toBe(60);
    expect(retryAfterSeconds(1000)).toBe(1);
    expect(retryAfterSeconds(1001)).toBe(2);
  });

  it('is at least one second, so a client never retries at once', () => {
    expect(retryAfterSeconds(0)).toBe(1);
    expect(retryAfterSeconds(1)).toBe(1);
    expect(retryAfterSeconds(-5)).toBe(1);
  });
});

describe('windowRecord', () => {
  it('allows up to the limit', () => {
    expect(windowRecord(3, 42_000, 3)).toEqual({
      totalHits: 3,
      timeToExpire: 42,
      isBlocked: false,
      timeToBlockExpire: 0,
    });
  });

  it('refuses past the limit until the window ends', () => {
    expect(windowRecord(4, 41_500, 3)).toEqual({
      totalHits: 4,
      timeToExpire: 42,
      isBlocked: true,
      timeToBlockExpire: 42,
    });
  });
});
