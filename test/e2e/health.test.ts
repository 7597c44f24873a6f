import type { Server } from 'node:http';
import { once } from 'node:events';
import { connect, createServer } from 'node:net';
import { request, startStack, type TestStack } from '../support/stack.js';

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('health', () => {
  let stack: TestStack;
  afterEach(async () => {
    await stack?.close();
  });

  it('is ok with Postgres and Redis up; per service; 404 for unknown services', async () => {
    stack = await startStack({ transport: 'redis', workers: 1 });
    const health = await request(`${stack.apiUrl}/health`);
    expect(health.status).toBe(200);
    const headers = (await fetch(`${stack.apiUrl}/health`)).headers;
    expect(headers.get('x-powered-by')).toBeNull(); // the API does not advertise Express
    expect(health.body).toEqual(
      expect.objectContaining({
        status: 'ok',
        transport: 'redis',
        details: expect.objectContaining({
          database: expect.objectContaining({ status: 'up' }),
          redis: expect.objectContaining({ status: 'up' }),
        }),
      }),
    );
    expect((await request(`${stack.apiUrl}/health/api`)).status).toBe(200);
    expect((await request(`${stack.apiUrl}/health/runner`)).status).toBe(200);
    // No gateway runs in this test stack.
    expect((await request(`${stack.apiUrl}/health/gateway`)).status).toBe(503);
    const unknown = await request(`${stack.apiUrl}/health/mainframe`);
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toMatch(/Unknown service "mainframe"/);
  });

  it('keeps an idle socket open 65 s, past the idle timeout of a client or proxy reusing it', async () => {
    stack = await startStack({ transport: 'redis' });
    const server = stack.api.getHttpServer() as Server;
    expect(server.keepAliveTimeout).toBe(65_000);
    expect(server.headersTimeout).toBeGreaterThan(server.keepAliveTimeout);
    // What the client is told (fetch keeps its sockets alive).
    const response = await fetch(`${stack.apiUrl}/health/api`);
    expect(response.headers.get('keep-alive')).toBe('timeout=65');
  });

  it('lets its sockets go at shutdown instead of keeping them alive 65 s', async () => {
    stack = await startStack({ transport: 'redis' });
    const server = stack.api.getHttpServer() as Server;
    const { port } = new URL(stack.apiUrl);
    // A client's spare socket, connected ahead of a request it has not sent.
    const spare = connect(Number(port), '127.0.0.1');
    await once(spare, 'connect');
    // A kept-alive socket whose request is answered after close() (a slow body: still reading).
    const slow = connect(Number(port), '127.0.0.1');
    await once(slow, 'connect');
    const requested = once(server, 'request');
    slow.write(
      'POST /api/projects HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{',
    );
    await requested;
    const closed = Promise.all([once(spare, 'close'), once(slow, 'close')]);
    server.close();
    slow.end('}');
    // Without the shutdown's own sweep, both stayed open for the keep-alive or headers timeout.
    await closed;
  });

  it('answers 503 naming Postgres when its database is gone', async () => {
    stack = await startStack({ transport: 'redis' });
    await stack.database.drop();
    const health = await request(`${stack.apiUrl}/health`);
    expect(health.status).toBe(503);
    expect(health.body.status).toBe('error');
    expect(health.body.checks.database.status).toBe('down');
    expect(health.body.checks.redis.status).toBe('up');
  });

  it('answers 503 naming Redis when Redis is unreachable', async () => {
    stack = await startStack({
      transport: 'redis',
      env: { REDIS_URL: `redis://127.0.0.1:${await closedPort()}` },
    });
    const health = await request(`${stack.apiUrl}/health/redis`);
    expect(health.status).toBe(503);
    expect(health.body.checks.redis).toEqual(expect.objectContaining({ status: 'down' }));
    expect((await request(`${stack.apiUrl}/health/database`)).status).toBe(200);
  });

  it('on the Postgres transport, needs no Redis: ok without it, runners present by their LISTEN connection', async () => {
    stack = await startStack({
      transport: 'postgres',
      workers: 1,
      env: { REDIS_URL: `redis://127.0.0.1:${await closedPort()}` },
    });
    const health = await request(`${stack.apiUrl}/health`);
    expect(health.status).toBe(200);
    expect(health.body.transport).toBe('postgres');
    expect(Object.keys(health.body.checks)).toEqual(['database']);
    const runner = await request(`${stack.apiUrl}/health/runner`);
    expect(runner.status).toBe(200);
    expect(runner.body.checks.runner.instances).toBe(1);
    expect((await request(`${stack.apiUrl}/health/gateway`)).status).toBe(503); // none runs here
    const redis = await request(`${stack.apiUrl}/health/redis`);
    expect(redis.status).toBe(404);
    expect(redis.body.message).toMatch(/Redis is not used/);
  });
});
