import { once } from 'node:events';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
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

  it('passes an answer that came while the event loop was busy past the timeout', async () => {
    // An answer on a socket: written before the loop stalls, read only after it.
    const server = createServer();
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
    const [accepted] = (await once(server, 'connection')) as [Socket];
    try {
      const answer = once(accepted, 'data').then(([data]) => String(data));
      const outcome = withTimeout(answer, 20, 'PUBLISH');
      client.write('pong'); // in the other socket's receive queue when write() returns (loopback)
      const started = Date.now();
      while (Date.now() - started < 60); // the loop is busy: the timer is due before the data is read
      await expect(outcome).resolves.toBe('pong');
    } finally {
      client.destroy();
      accepted.destroy();
      server.close();
    }
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
