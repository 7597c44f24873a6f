import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { eventually, isAlive, killAll } from '../support/builds.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { freePort, SIDE_PORTS } from '../support/ports.js';
import { deleteQueueKeys, TEST_REDIS_URL, uniqueQueuePrefix } from '../support/redis.js';
import { spawnNode, START_SCRIPT, startedPid } from '../support/start-script.js';

const APPS = ['api', 'gateway', 'runner'] as const;
type App = (typeof APPS)[number];

/** `npm start`'s supervisor (scripts/start.mjs) on its own ports, database and queue prefix. */
describe('npm start: supervision', () => {
  let database: TestDatabase;
  let prefix: string;
  let supervisor: ChildProcess | undefined;
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
      const stack = spawnNode([START_SCRIPT], {
        API_PORT: String(apiPort),
        GATEWAY_PORT: String(gatewayPort),
        DATABASE_URL: database.url,
        REDIS_URL: TEST_REDIS_URL,
        QUEUE_PREFIX: prefix,
        DATABASE_POOL_SIZE: '3',
        ...SIDE_PORTS,
      });
      supervisor = stack.child;
      const pidOf = (app: App, nth = 1) => startedPid(stack.output(), app, nth);

      const pids = {} as Record<App, number>;
      for (const app of APPS)
        pids[app] = await eventually(() => Promise.resolve(pidOf(app)), `${app}'s pid`, 30_000);
      expect(stack.output()).toContain(`[start] transport: redis ${TEST_REDIS_URL} (REDIS_URL)`);
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
      expect(stack.output()).toMatch(/\[start\] gateway exited \(SIGKILL\); restarting it in \d+ s/);
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

      stack.child.kill('SIGTERM');
      const [code] = await stack.exited;
      expect(code).toBe(0);
      for (const pid of [pids.api, pids.runner, restarted]) expect(await isAlive(pid)).toBe(false);
      // Nothing came back after the signal (concurrently's own restarts would have).
      const output = stack.output();
      const afterSignal = output.slice(output.indexOf('[start] SIGTERM: stopping every app'));
      expect(afterSignal).toContain('[start] SIGTERM');
      expect(afterSignal).not.toMatch(/restart/);
    },
    5 * 60_000,
  );
});
