// A frozen gateway: how long does a `watchBuild` with the SDK's DEFAULT options keep saying
// `live` after the gateway is SIGSTOPped, and how long after SIGCONT is it live again with
// every seq? Run: npm run bench:frozen-gateway
// BENCH_CLIENTS=label=path/to/libs/client/src/index.js,... compares SDK builds (default: this
// build's); BENCH_FREEZE_MAX_MS (90000) caps the wait for the SDK to notice.
import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import { loadConfig } from '#config';
import type { NewBuildEvent } from '#contracts';
import type { watchBuild as WatchBuild, ClientOptions } from '#client';
import { BuildReadModel, EventStore } from '#persistence';
import { createApi } from '../../apps/api/src/create-api.js';
import { startServer } from '../fanout/procs.js';
import { BENCH_ADMIN_KEY, createBenchDatabase, realisticEvents, take } from '../support/bench-utils.js';

const FREEZE_MAX_MS = Number(process.env.BENCH_FREEZE_MAX_MS ?? 90_000);

type Watch = ReturnType<typeof WatchBuild>;

/** Resolves with the ms until `condition` held (checked on every change), or null after `timeoutMs`. */
function timeUntil(watch: Watch, condition: () => boolean, timeoutMs: number): Promise<number | null> {
  const started = performance.now();
  return new Promise((resolve) => {
    if (condition()) return resolve(0);
    const timer = setTimeout(() => {
      stop();
      resolve(null);
    }, timeoutMs);
    const stop = watch.subscribe(() => {
      if (!condition()) return;
      clearTimeout(timer);
      stop();
      resolve(performance.now() - started);
    });
  });
}

async function main(): Promise<void> {
  const here = new URL('../../libs/client/src/index.js', import.meta.url).pathname;
  const clients = (process.env.BENCH_CLIENTS ?? `this build=${here}`)
    .split(',')
    .map((entry) => entry.split('=') as [string, string]);
  const database = await createBenchDatabase();
  const api = await createApi(
    loadConfig({ DATABASE_URL: database.url, BUILDCAST_ADMIN_KEY: BENCH_ADMIN_KEY }),
    ['error', 'warn'],
  );
  await api.listen(0, '127.0.0.1');
  const { port } = api.getHttpServer().address() as { port: number };
  const rows: string[] = [];
  try {
    const readModel = api.get(BuildReadModel);
    const store = api.get(EventStore);
    const project = await readModel.createProject('frozen gateway bench');
    for (const [label, path] of clients) {
      const { watchBuild } = (await import(path)) as { watchBuild: typeof WatchBuild };
      const session = (await readModel.createQueuedSession({
        projectId: project.id,
        agent: 'demo',
        agentId: 'bench',
        model: null,
        prompt: null,
      }))!;
      const start: NewBuildEvent = {
        type: 'session.started',
        data: { agentId: 'bench', model: 'bench', projectName: 'frozen' },
      };
      await store.append(session.id, [start, ...take(realisticEvents('before'), 9)]);
      const gateway = await startServer('buildcast', {
        redisUrl: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
        databaseUrl: database.url,
      });
      const options: ClientOptions = {
        baseUrl: `http://127.0.0.1:${port}`,
        wsUrl: gateway.url,
        WebSocket: WebSocket,
        // The admin key (it never expires, so no renewals): REST Bearer and the socket's `auth`.
        getToken: () => Promise.resolve(BENCH_ADMIN_KEY),
      };
      const watch = watchBuild(project.id, session.id, options);
      try {
        const live = await timeUntil(watch, () => watch.status === 'live' && watch.state?.seq === 10, 30_000);
        if (live === null) throw new Error(`${label}: never live`);
        process.kill(gateway.pid, 'SIGSTOP');
        let noticed: number | null;
        try {
          console.error(`[frozen-gateway] ${label}: gateway stopped, waiting up to ${FREEZE_MAX_MS} ms`);
          noticed = await timeUntil(watch, () => watch.status !== 'live', FREEZE_MAX_MS);
          await store.append(session.id, take(realisticEvents('during'), 10));
        } finally {
          process.kill(gateway.pid, 'SIGCONT');
        }
        const last = await store.append(session.id, [
          { type: 'session.finished', data: { status: 'completed' } },
        ]);
        const back = await timeUntil(
          watch,
          () => watch.status === 'live' && watch.state?.seq === last.toSeq,
          60_000,
        );
        const seconds = (ms: number | null) =>
          ms === null ? 'not within 60 s' : `${(ms / 1000).toFixed(1)} s`;
        rows.push(
          `| ${label} | ${noticed === null ? `still live after ${FREEZE_MAX_MS / 1000} s` : seconds(noticed)} | ${seconds(back)} |`,
        );
      } finally {
        watch.close();
        await gateway.stop();
      }
    }
    console.log(
      'Frozen gateway: watchBuild with default options (heartbeat 30 s; this build: ping after 10 s quiet, pong timeout 5 s), gateway SIGSTOPped while idle\n',
    );
    console.log('| SDK | left `live` after SIGSTOP | live again with every seq after SIGCONT |');
    console.log('|---|---:|---:|');
    for (const row of rows) console.log(row);
  } finally {
    await api.close();
    await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
