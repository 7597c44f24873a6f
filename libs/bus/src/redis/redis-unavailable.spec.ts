import { isRedisUnavailable, RedisUnavailableError, withTimeout } from './redis-unavailable.js';

describe('withTimeout', () => {
  it('passes the result of work that settles in time', async () => {
    await expect(withTimeout(Promise.resolve(7), 1000, 'x')).resolves.toBe(7);
    await expect(withTimeout(Promise.reject(new Error('boom')), 1000, 'x')).rejects.toThrow('boom');
  });

  it('rejects with RedisUnavailableError when work does not settle', async () => {
    const never = new Promise<never>(() => undefined);
    const outcome = withTimeout(never, 10, 'PUBLISH');
    await expect(outcome).rejects.toBeInstanceOf(RedisUnavailableError);
    await expect(outcome).rejects.toThrow('Redis is unavailable (PUBLISH: no answer within 10 ms)');
  });
});

describe('isRedisUnavailable', () => {
  it.each([
    new RedisUnavailableError('x'),
    new Error("Stream isn't writeable and enableOfflineQueue options is false"),
    new Error('Command timed out'),
    new Error('Connection is closed.'),
    Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6379'), { code: 'ECONNREFUSED' }),
  ])('recognises %s', (error) => {
    expect(isRedisUnavailable(error)).toBe(true);
  });

  it.each([new Error('ERR wrong number of arguments'), 'ECONNREFUSED', null])(
    'leaves other failures alone: %s',
    (error) => {
      expect(isRedisUnavailable(error)).toBe(false);
    },
  );
});
