// Identity and access on the real API and gateway, with the production defaults: what each
// credential costs per request, side by side in one run, and what the abuse limits let
// through from one key or one address. Run: npm run bench:access
import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket } from 'ws';
import { loadConfig } from '#config';
import { createApi } from '../../apps/api/src/create-api.js';
import { createGateway } from '../../apps/realtime-gateway/src/create-gateway.js';
import { BENCH_ADMIN_KEY, createBenchDatabase, percentile } from '../support/bench-utils.js';

const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 500);
let nextAddress = 1;
/** Each phase comes from its own address (the API trusts X-Forwarded-For from loopback). */
const freshAddress = () => `198.51.100.${nextAddress++}`;

async function main(): Promise<void> {
  const database = await createBenchDatabase();
  const config = loadConfig({
    DATABASE_URL: database.url,
    BUILDCAST_ADMIN_KEY: BENCH_ADMIN_KEY,
    QUEUE_PREFIX: `bench-access-${process.pid}`,
    METRICS_PORT: '0',
  });
  const api = await createApi(config, ['error', 'warn']);
  await api.listen(0, '127.0.0.1');
  const gateway = await createGateway(config, ['error', 'warn']);
  await gateway.listen(0, '127.0.0.1');
  const apiUrl = `http://127.0.0.1:${(api.getHttpServer().address() as { port: number }).port}/api`;
  const wsUrl = `ws://127.0.0.1:${(gateway.getHttpServer().address() as { port: number }).port}/ws`;

  const call = async (
    path: string,
    init: { key?: string; cookie?: string; body?: unknown; method?: string; from: string },
  ) => {
    const headers: Record<string, string> = {
      'x-forwarded-for': init.from,
      'content-type': 'application/json',
    };
    if (init.key) headers.authorization = `Bearer ${init.key}`;
    if (init.cookie) headers.cookie = init.cookie;
    const response = await fetch(`${apiUrl}${path}`, {
      method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
      headers,
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
    });
    const text = await response.text();
    return {
      status: response.status,
      retryAfter: response.headers.get('retry-after'),
      json: text ? JSON.parse(text) : undefined,
      setCookie: response.headers.get('set-cookie'),
    };
  };

  try {
    const admin = { key: BENCH_ADMIN_KEY, from: freshAddress() };
    const project = (await call('/projects', { ...admin, body: { name: 'access bench' } })).json as {
      id: string;
    };
    const dbKey = (await call('/keys', { ...admin, body: { name: 'reader', scopes: ['builds:read'] } })).json
      .key as string;
    const cookie = (
      (await call('/session', { from: freshAddress(), body: { key: dbKey } })).setCookie ?? ''
    ).split(';')[0];
    const token = (await call(`/projects/${project.id}/tokens`, { ...admin, body: {} })).json.token as string;

    // 1. Cost per credential: GET /api/projects/:id, sequential, the first request of each apart.
    console.log(`\nGET /api/projects/:id, ${REQUESTS} sequential requests per credential (ms):`);
    console.log('| credential | first request | p50 | p99 | p50 vs BUILDCAST_ADMIN_KEY |');
    console.log('|---|---:|---:|---:|---:|');
    const freshKey = (await call('/keys', { ...admin, body: { name: 'fresh', scopes: ['builds:read'] } }))
      .json.key as string;
    const credentials: [string, { key?: string; cookie?: string }][] = [
      ['BUILDCAST_ADMIN_KEY (no lookup)', { key: BENCH_ADMIN_KEY }],
      ['API key (scrypt once, then cached)', { key: freshKey }],
      ['session cookie', { cookie }],
      ['subscription token (JWT + revocation check)', { key: token }],
    ];
    // Round-robin over the credentials, so the machine's noise falls on all of them alike.
    const firsts: number[] = [];
    for (const [name, credential] of credentials) {
      const t0 = performance.now();
      const first = await call(`/projects/${project.id}`, { ...credential, from: freshAddress() });
      firsts.push(performance.now() - t0);
      if (first.status !== 200) throw new Error(`${name}: ${first.status}`);
    }
    const latencies: number[][] = credentials.map(() => []);
    for (let i = 0; i < REQUESTS; i++) {
      for (const [index, [, credential]] of credentials.entries()) {
        const t0 = performance.now();
        await call(`/projects/${project.id}`, { ...credential, from: freshAddress() });
        latencies[index].push(performance.now() - t0);
      }
    }
    const p50s = latencies.map((list) =>
      percentile(
        list.sort((a, b) => a - b),
        50,
      ),
    );
    for (const [index, [name]] of credentials.entries()) {
      const list = latencies[index];
      console.log(
        `| ${name} | ${firsts[index].toFixed(1)} | ${p50s[index].toFixed(2)} | ${percentile(list, 99).toFixed(2)} | ${(p50s[index] / p50s[0]).toFixed(2)}× |`,
      );
    }
    void dbKey;

    // 2. A wrong secret for a known prefix costs a scrypt hash; the per-address limit bounds how many.
    const [prefixPart] = freshKey.split('_').slice(1, 2);
    const wrong = `bc_${prefixPart}_${'A'.repeat(43)}`;
    const wrongFrom = freshAddress();
    const wrongLatencies: number[] = [];
    for (let i = 0; i < 50; i++) {
      const t0 = performance.now();
      const answer = await call(`/projects/${project.id}`, { key: wrong, from: wrongFrom });
      wrongLatencies.push(performance.now() - t0);
      if (answer.status !== 401) throw new Error(`wrong secret: ${answer.status}`);
    }
    wrongLatencies.sort((a, b) => a - b);
    console.log(
      `\nA wrong secret for a known key prefix (scrypt each time): p50 ${percentile(wrongLatencies, 50).toFixed(1)} ms over 50 requests`,
    );

    // 3. What one key or one address gets through in a burst (all within a minute).
    console.log('\nBursts, production defaults:');
    console.log('| burst | sent | accepted | refused (status, Retry-After) |');
    console.log('|---|---:|---:|---|');
    const burst = async (
      label: string,
      sent: number,
      send: (i: number) => Promise<{ status: number; retryAfter: string | null }>,
      ok: (status: number) => boolean,
    ) => {
      const answers = await Promise.all(Array.from({ length: sent }, (_, i) => send(i)));
      const refused = answers.filter((a) => !ok(a.status));
      const statuses = [
        ...new Set(refused.map((a) => `${a.status}${a.retryAfter ? `, ${a.retryAfter} s` : ''}`)),
      ];
      console.log(
        `| ${label} | ${sent} | ${sent - refused.length} | ${refused.length} (${statuses.join('; ') || '-'}) |`,
      );
    };
    const writer = (await call('/keys', { ...admin, body: { name: 'writer', scopes: ['builds:write'] } }))
      .json.key as string;
    await burst(
      'build starts, one key (BUILD_STARTS_PER_MINUTE 60)',
      100,
      () =>
        call(`/projects/${project.id}/builds`, {
          key: writer,
          from: freshAddress(),
          body: { agent: 'demo' },
        }),
      (s) => s === 202,
    );
    const reader = (await call('/keys', { ...admin, body: { name: 'burst', scopes: ['builds:read'] } })).json
      .key as string;
    await burst(
      'requests, one key from many addresses (RATE_LIMIT_PER_MINUTE 600)',
      1000,
      () => call(`/projects/${project.id}`, { key: reader, from: freshAddress() }),
      (s) => s === 200,
    );
    const flooder = freshAddress();
    await burst(
      'requests with made-up keys, one address (RATE_LIMIT_IP_PER_MINUTE 1200)',
      1500,
      (i) =>
        call(`/projects/${project.id}`, {
          key: `bc_zz${String(i).padStart(6, '0')}_${'B'.repeat(43)}`,
          from: flooder,
        }),
      (s) => s === 401,
    );
    const poller = (await call('/keys', { ...admin, body: { name: 'poller', scopes: ['builds:read'] } })).json
      .key as string;
    const started = (
      await call(`/projects/${project.id}/builds`, {
        ...admin,
        from: freshAddress(),
        body: { agent: 'demo' },
      })
    ).json.sessionId as string;
    await burst(
      'long-polls at once, one key (LONG_POLLS_PER_KEY 20)',
      50,
      () =>
        call(`/projects/${project.id}/builds/${started}/events?after=0&waitMs=3000`, {
          key: poller,
          from: freshAddress(),
        }),
      (s) => s === 200 || s === 400,
    );

    // 4. Sockets from one address (GATEWAY_CONNECTIONS_PER_IP 200).
    const sockets: WebSocket[] = [];
    const outcomes = await Promise.all(
      Array.from(
        { length: 300 },
        () =>
          new Promise<string>((resolve) => {
            const socket = new WebSocket(wsUrl, { headers: { authorization: `Bearer ${BENCH_ADMIN_KEY}` } });
            sockets.push(socket);
            socket.on('message', (data: Buffer) => {
              if (String(data).includes('"authenticated"')) resolve('open');
            });
            socket.on('close', (code) => resolve(`closed ${code}`));
            socket.on('error', () => resolve('error'));
          }),
      ),
    );
    // The limit is checked in Redis after the socket opened, so a refused socket may have seen
    // its first frames: count what is still open once the closes have stopped coming.
    let open = -1;
    for (let stable = 0; stable < 5;) {
      await sleep(200);
      const now = sockets.filter((socket) => socket.readyState === WebSocket.OPEN).length;
      stable = now === open ? stable + 1 : 0;
      open = now;
    }
    const closes = sockets.filter((socket) => socket.readyState !== WebSocket.OPEN).length;
    console.log(
      `| sockets from one address (GATEWAY_CONNECTIONS_PER_IP 200) | 300 | ${open} | ${closes} (closed 4429; ${outcomes.filter((o) => o === 'open').length} had been answered first) |`,
    );
    for (const socket of sockets) socket.terminate();
  } finally {
    await gateway.close();
    await api.close();
    await database.drop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
