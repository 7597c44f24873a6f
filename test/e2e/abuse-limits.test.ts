import { randomBytes } from 'node:crypto';
import { getQueueToken } from '@nestjs/bullmq';
import type { INestApplication } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { WebSocket } from 'ws';
import { loadConfig } from '#config';
import { BUILDS_QUEUE } from '#contracts';
import { createApi } from '../../apps/api/src/create-api.js';
import { credentialTracker } from '../../apps/api/src/limits/credential-tracker.js';
import { LongPolls } from '../../apps/api/src/limits/long-polls.js';
import { ConnectionsPerIp } from '../../apps/realtime-gateway/src/connections/connections-per-ip.js';
import { eventually, startDemoBuild } from '../support/builds.js';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { startOwnRedis, type OwnRedis } from '../support/own-services.js';
import { TEST_REDIS_URL } from '../support/redis.js';
import { request, startStack, TEST_ADMIN_KEY, type TestStack } from '../support/stack.js';

/** A credential of its own per test (the limits count per credential, before authentication). */
const newKey = () => `bc_limits_${randomBytes(12).toString('hex')}`;

/**
 * The test process talks to the apps over loopback, which TRUSTED_PROXIES trusts by default:
 * X-Forwarded-For gives each test a client address of its own (TEST-NET ranges).
 */
const from = (ip: string) => ({ 'x-forwarded-for': ip });

function expectTooMany(
  answer: { status: number; body: unknown; retryAfter: string | null },
  variable: string,
): void {
  expect(answer.status).toBe(429);
  expect(answer.body).toEqual({
    statusCode: 429,
    error: 'Too Many Requests',
    message: expect.stringContaining(variable),
  });
  const seconds = Number(answer.retryAfter);
  expect(Number.isInteger(seconds)).toBe(true);
  expect(seconds).toBeGreaterThanOrEqual(1);
  expect(seconds).toBeLessThanOrEqual(60);
}

/** GET with a credential (or none) from a client address, keeping Retry-After. */
async function get(url: string, key: string | null, ip: string, signal?: AbortSignal) {
  const response = await fetch(url, {
    headers: { ...from(ip), ...(key === null ? {} : { authorization: `Bearer ${key}` }) },
    signal,
  });
  const text = await response.text();
  return {
    status: response.status,
    body: (text ? JSON.parse(text) : undefined) as unknown,
    retryAfter: response.headers.get('retry-after'),
  };
}

describe('REST rate limits (RATE_LIMIT_PER_MINUTE=3, RATE_LIMIT_IP_PER_MINUTE=6)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({ env: { RATE_LIMIT_PER_MINUTE: '3', RATE_LIMIT_IP_PER_MINUTE: '6' } });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('refuses the fourth request of a credential in a minute, from any address', async () => {
    const key = newKey();
    for (let i = 0; i < 3; i++) {
      expect((await get(`${stack.apiUrl}/projects`, key, '198.51.100.1')).status).not.toBe(429);
    }
    expectTooMany(await get(`${stack.apiUrl}/projects`, key, '198.51.100.1'), 'RATE_LIMIT_PER_MINUTE');
    // The credential's limit follows it to another address...
    expectTooMany(await get(`${stack.apiUrl}/projects`, key, '198.51.100.2'), 'RATE_LIMIT_PER_MINUTE');
    // ...and another credential from the first address has its own.
    expect((await get(`${stack.apiUrl}/projects`, newKey(), '198.51.100.1')).status).not.toBe(429);
  });

  it('refuses an address past its limit, however many credentials it makes up', async () => {
    const ip = '198.51.100.10';
    for (let i = 0; i < 5; i++) {
      expect((await get(`${stack.apiUrl}/projects`, newKey(), ip)).status).not.toBe(429);
    }
    expect((await get(`${stack.apiUrl}/projects`, null, ip)).status).not.toBe(429);
    const refused = await get(`${stack.apiUrl}/projects`, newKey(), ip);
    expectTooMany(refused, 'RATE_LIMIT_IP_PER_MINUTE');
    expect((refused.body as { message: string }).message).toMatch(/requests from this IP address/);
    expectTooMany(await get(`${stack.apiUrl}/projects`, null, ip), 'RATE_LIMIT_IP_PER_MINUTE');
  });

  it('never limits the health routes', async () => {
    const key = newKey();
    for (let i = 0; i < 10; i++) {
      expect((await get(`${stack.apiUrl}/health`, key, '198.51.100.20')).status).not.toBe(429);
      expect((await get(`${stack.apiUrl}/health/redis`, key, '198.51.100.20')).status).not.toBe(429);
    }
  });

  it('counts one limit over two API instances on the same Redis', async () => {
    const second: INestApplication = await createApi(stack.config, ['error', 'warn']);
    try {
      await second.listen(0, '127.0.0.1');
      const { port } = second.getHttpServer().address() as { port: number };
      const apis = [stack.apiUrl, `http://127.0.0.1:${port}/api`];
      const key = newKey();
      for (let i = 0; i < 3; i++) {
        expect((await get(`${apis[i % 2]}/projects`, key, '198.51.100.30')).status).not.toBe(429);
      }
      expectTooMany(await get(`${apis[1]}/projects`, key, '198.51.100.30'), 'RATE_LIMIT_PER_MINUTE');
      expectTooMany(await get(`${apis[0]}/projects`, key, '198.51.100.30'), 'RATE_LIMIT_PER_MINUTE');
    } finally {
      await second.close();
    }
  });
});

describe('build starts, long-polls and transcripts', () => {
  let stack: TestStack;
  let redis: Redis;
  beforeAll(async () => {
    stack = await startStack({
      env: { BUILD_STARTS_PER_MINUTE: '3', LONG_POLLS_PER_KEY: '2', TRANSCRIPT_MAX_LINES: '5' },
    });
    redis = new Redis(TEST_REDIS_URL);
  });
  afterAll(async () => {
    redis?.disconnect();
    await stack?.close();
  });

  it('refuses the fourth build start of a credential in a minute (BUILD_STARTS_PER_MINUTE)', async () => {
    const project = await request(`${stack.apiUrl}/projects`, { body: { name: 'build starts' } });
    const builds = `${stack.apiUrl}/projects/${project.body.id}/builds`;
    const key = newKey();
    const start = async () => {
      const response = await fetch(builds, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
        body: JSON.stringify({ agent: 'demo' }),
      });
      const text = await response.text();
      return {
        status: response.status,
        body: JSON.parse(text) as unknown,
        retryAfter: response.headers.get('retry-after'),
      };
    };
    for (let i = 0; i < 3; i++) expect((await start()).status).not.toBe(429);
    expectTooMany(await start(), 'BUILD_STARTS_PER_MINUTE');
    // Only starts count: reading goes on.
    expect((await get(builds, key, '198.51.100.40')).status).not.toBe(429);
  });

  it('refuses a third long-poll waiting at once (LONG_POLLS_PER_KEY), and frees a slot on abort', async () => {
    // No runner-worker: the build stays queued, so a long-poll on it waits.
    const { projectId, sessionId } = await startDemoBuild(stack.apiUrl, 'long-polls');
    const events = `${stack.apiUrl}/projects/${projectId}/builds/${sessionId}/events`;
    const slots = LongPolls.key(
      stack.config,
      credentialTracker({ authorization: `Bearer ${TEST_ADMIN_KEY}` })!,
    );
    const waiting = () => redis.zcard(slots);

    const aborts = [new AbortController(), new AbortController()];
    const polls = aborts.map((abort) =>
      get(`${events}?after=0&waitMs=30000`, TEST_ADMIN_KEY, '198.51.100.50', abort.signal).catch(() => null),
    );
    await eventually(async () => ((await waiting()) === 2 ? true : undefined), 'two long-polls waiting');

    expectTooMany(
      await get(`${events}?after=0&waitMs=30000`, TEST_ADMIN_KEY, '198.51.100.50'),
      'LONG_POLLS_PER_KEY',
    );
    // A plain read is no long-poll.
    expect((await get(`${events}?after=0`, TEST_ADMIN_KEY, '198.51.100.50')).status).toBe(200);

    aborts[0].abort();
    await eventually(
      async () => ((await waiting()) === 1 ? true : undefined),
      'the aborted long-poll to end',
    );
    const third = get(`${events}?after=0&waitMs=30000`, TEST_ADMIN_KEY, '198.51.100.50');
    await eventually(async () => ((await waiting()) === 2 ? true : undefined), 'the third long-poll waiting');

    // Cancelling the build answers the waiting long-polls; their slots are given back.
    expect((await request(`${events.replace(/\/events$/, '')}/cancel`, { method: 'POST' })).status).toBe(202);
    expect((await third).status).toBe(200);
    expect((await polls[1])?.status).toBe(200);
    await eventually(async () => ((await waiting()) === 0 ? true : undefined), 'every slot to be given back');
  });

  it('refuses a transcript over TRANSCRIPT_MAX_LINES with a 413 naming transcript', async () => {
    const project = await request(`${stack.apiUrl}/projects`, { body: { name: 'long transcript' } });
    const builds = `${stack.apiUrl}/projects/${project.body.id}/builds`;
    const line = JSON.stringify({ type: 'message', data: { role: 'assistant', text: 'hi' } });
    const replay = (lines: number) => ({
      agent: 'replay',
      format: 'buildcast-ndjson',
      transcript: Array(lines).fill(line).join('\n'),
    });
    const refused = await request(builds, { body: replay(6) });
    expect(refused).toEqual({
      status: 413,
      body: {
        statusCode: 413,
        error: 'Payload Too Large',
        message: ['transcript: 6 lines, more than TRANSCRIPT_MAX_LINES (5)'],
      },
    });
    expect((await request(builds, { body: replay(5) })).status).toBe(202);
  });
});

describe('WebSocket connections per IP over two gateways (GATEWAY_CONNECTIONS_PER_IP=2)', () => {
  let stack: TestStack;
  let gateways: TestGateway[];
  let redis: Redis;
  const sockets: WebSocket[] = [];

  beforeAll(async () => {
    stack = await startStack({ env: { GATEWAY_CONNECTIONS_PER_IP: '2' } });
    gateways = [await startGateway(stack.config), await startGateway(stack.config)];
    redis = new Redis(TEST_REDIS_URL);
  });
  afterAll(async () => {
    for (const socket of sockets) socket.terminate();
    redis?.disconnect();
    for (const gateway of gateways ?? []) await gateway.close();
    await stack?.close();
  });

  const counted = (ip: string) => redis.zcard(ConnectionsPerIp.key(stack.config, ip));
  const countReaches = (ip: string, count: number) =>
    eventually(
      async () => ((await counted(ip)) === count ? true : undefined),
      `${count} sockets counted for ${ip}`,
    );

  /** Opens a socket that says it comes from `ip`; `closed` resolves with its close code. */
  function open(url: string, ip: string) {
    const socket = new WebSocket(url, { headers: from(ip) });
    sockets.push(socket);
    const opened = new Promise<void>((resolve) => socket.once('open', () => resolve()));
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      socket.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    return { socket, opened, closed };
  }

  it('closes a third socket from one address with 4429, whichever replica it reaches', async () => {
    const ip = '192.0.2.10';
    const first = open(gateways[0].wsUrl, ip);
    await countReaches(ip, 1);
    open(gateways[1].wsUrl, ip);
    await countReaches(ip, 2);

    const third = open(gateways[0].wsUrl, ip);
    const { code, reason } = await third.closed;
    expect(code).toBe(4429);
    expect(reason).toMatch(/GATEWAY_CONNECTIONS_PER_IP/);
    // Another address is not affected.
    open(gateways[1].wsUrl, '192.0.2.11');
    await countReaches('192.0.2.11', 1);

    // A closed socket gives its slot back.
    first.socket.close();
    await countReaches(ip, 1);
    const again = open(gateways[1].wsUrl, ip);
    await again.opened;
    await countReaches(ip, 2);
    expect(again.socket.readyState).toBe(WebSocket.OPEN);
  });

  it('stops counting the sockets of a replica that stopped refreshing them (crashed)', async () => {
    const ip = '192.0.2.12';
    const key = ConnectionsPerIp.key(stack.config, ip);
    const now = Number((await redis.time())[0]) * 1000;
    // What a crashed replica leaves: members whose expiry has passed.
    await redis.zadd(key, now - 1000, 'crashed-instance:a', now - 1000, 'crashed-instance:b');
    open(gateways[0].wsUrl, ip);
    await countReaches(ip, 1); // the stale members were dropped, the new socket counted

    // Members still within their expiry do count (a replica that is alive, or not yet expired).
    await redis.zadd(key, now + 60_000, 'other-instance:c');
    const refused = open(gateways[1].wsUrl, ip);
    expect((await refused.closed).code).toBe(4429);
    await redis.zrem(key, 'other-instance:c');
  });

  it('counts a socket forwarded by the API under the client address it forwards for', async () => {
    const config = loadConfig({ ...stack.childEnv(), GATEWAY_URL: gateways[0].httpUrl });
    const api = await createApi(config, ['error', 'warn']);
    try {
      await api.listen(0, '127.0.0.1');
      const { port } = api.getHttpServer().address() as { port: number };
      const ip = '192.0.2.13';
      const viaApi = open(`ws://127.0.0.1:${port}/ws`, ip);
      await countReaches(ip, 1);
      viaApi.socket.close();
      await countReaches(ip, 0);
    } finally {
      await api.close();
    }
  });
});

describe('limits without Redis', () => {
  let ownRedis: OwnRedis;
  let stack: TestStack;
  beforeAll(async () => {
    ownRedis = await startOwnRedis();
    stack = await startStack({
      env: { REDIS_URL: ownRedis.url, RATE_LIMIT_PER_MINUTE: '2', LONG_POLLS_PER_KEY: '1' },
    });
  });
  afterAll(async () => {
    await stack?.close();
    await ownRedis?.close();
  });

  it('are not enforced (fail open): REST answers from Postgres, never 429 or 5xx', async () => {
    const created = await request<{ key: string }>(`${stack.apiUrl}/keys`, {
      body: { name: 'reader', scopes: ['builds:read'] },
    });
    const key = created.body.key;
    for (let i = 0; i < 2; i++)
      expect((await get(`${stack.apiUrl}/projects`, key, '198.51.100.60')).status).toBe(200);
    expectTooMany(await get(`${stack.apiUrl}/projects`, key, '198.51.100.60'), 'RATE_LIMIT_PER_MINUTE');

    await ownRedis.stop();
    for (let i = 0; i < 4; i++)
      expect((await get(`${stack.apiUrl}/projects`, key, '198.51.100.60')).status).toBe(200);
    const { projectId, sessionId } = await startDemoBuild(stack.apiUrl, 'no redis');
    const events = `${stack.apiUrl}/projects/${projectId}/builds/${sessionId}/events?after=0&waitMs=200`;
    const polls = await Promise.all([
      get(events, TEST_ADMIN_KEY, '198.51.100.61'),
      get(events, TEST_ADMIN_KEY, '198.51.100.61'),
    ]);
    expect(polls.map((poll) => poll.status)).toEqual([200, 200]);
    // Back before the stack closes: the queue's connection closes cleanly only when connected.
    await ownRedis.start();
    const queue = stack.api.get<Queue>(getQueueToken(BUILDS_QUEUE), { strict: false });
    await eventually(
      () =>
        queue.getWaitingCount().then(
          () => true,
          () => undefined,
        ),
      'the queue to reconnect',
    );
  });
});
