import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { eventually, isAlive, killAll } from '../support/builds.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { freePort } from '../support/gateway.js';
import { deleteQueueKeys, TEST_REDIS_URL, uniqueQueuePrefix } from '../support/redis.js';

const START = path.resolve('scripts/start.mjs');
const APPS = ['api', 'gateway', 'runner'] as const;
type App = (typeof APPS)[number];

/** `npm start`'s supervisor (scripts/start.mjs) on its own ports, database and queue prefix. */
describe('npm start: supervision', () => {
  let database: TestDatabase;
  let prefix: string;
  let supervisor: ChildProcess | undefined;
  let output = '';
  const seenPids: number[] = [];

  beforeAll(async () => {
    if (!existsSync(path.resolve('dist/apps/api/src/main.js'))) throw new Error('run `npm run build` first');
    database = await createTestDatabase();
    prefix = uniqueQueuePrefix();
  });
  afterAll(async () => {
    if (supervisor && supervisor.exitCode === null && supervisor.signalCode === null)
      supervisor.kill('SIGKILL');
    killAll(seenPids); // only if the test failed half-way
    await database?.drop();
    await deleteQueueKeys(TEST_REDIS_URL, prefix);
  });

  /** The pid start.mjs reported for `app` the `nth` time it started it (1: the first start). */
  const pidOf = (app: App, nth = 1): number | undefined => {
    const starts = [
      ...output.matchAll(new RegExp(`\\[start\\] ${app} (?:started|restarted) \\(pid (\\d+)\\)`, 'g')),
    ];
    const pid = starts[nth - 1]?.[1];
    return pid === undefined ? undefined : Number(pid);
  };
  const answers = async (url: string) => {
    try {
      return (await fetch(url, { signal: AbortSignal.timeout(5_000) })).status === 200;
    } catch {
      return false;
    }
  };

  it(
    'restarts an app that was SIGKILLed while the others keep running; SIGTERM stops every app',
    async () => {
      const [apiPort, gatewayPort] = [await freePort(), await freePort()];
      const apiHealth = `http://127.0.0.1:${apiPort}/api/health`;
      const gatewayHealth = `http://127.0.0.1:${gatewayPort}/health`;
      const child = spawn(process.execPath, [START], {
        env: {
          PATH: process.env.PATH ?? '',
          HOME: process.env.HOME ?? '',
          API_PORT: String(apiPort),
          GATEWAY_PORT: String(gatewayPort),
          DATABASE_URL: database.url,
          REDIS_URL: TEST_REDIS_URL,
          QUEUE_PREFIX: prefix,
          DATABASE_POOL_SIZE: '3',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      supervisor = child;
      child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
      const exited = once(child, 'exit');

      const pids = {} as Record<App, number>;
      for (const app of APPS)
        pids[app] = await eventually(() => Promise.resolve(pidOf(app)), `${app}'s pid`, 30_000);
      seenPids.push(...Object.values(pids));
      await eventually(async () => ((await answers(apiHealth)) ? true : undefined), 'the API', 90_000);
      await eventually(
        async () => ((await answers(gatewayHealth)) ? true : undefined),
        'the gateway',
        90_000,
      );

      process.kill(pids.gateway, 'SIGKILL');
      const restarted = await eventually(
        () => Promise.resolve(pidOf('gateway', 2)),
        'the gateway to be restarted',
        60_000,
      );
      seenPids.push(restarted);
      expect(restarted).not.toBe(pids.gateway);
      expect(output).toMatch(/\[start\] gateway exited \(SIGKILL\); restarting it in \d+ s/);
      await eventually(
        async () => ((await answers(gatewayHealth)) ? true : undefined),
        'the gateway back',
        90_000,
      );
      // The API and the runner were not touched: same processes, the API still answering.
      expect(await isAlive(pids.api)).toBe(true);
      expect(await isAlive(pids.runner)).toBe(true);
      expect(pidOf('api', 2)).toBeUndefined();
      expect(pidOf('runner', 2)).toBeUndefined();
      expect(await answers(apiHealth)).toBe(true);

      child.kill('SIGTERM');
      const [code] = (await exited) as [number | null];
      expect(code).toBe(0);
      for (const pid of [pids.api, pids.runner, restarted]) expect(await isAlive(pid)).toBe(false);
      // Nothing came back after the signal (concurrently's own restarts would have).
      const afterSignal = output.slice(output.indexOf('[start] SIGTERM: stopping every app'));
      expect(afterSignal).toContain('[start] SIGTERM');
      expect(afterSignal).not.toMatch(/restart/);
    },
    5 * 60_000,
  );
});
