import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Snapshot } from '#contracts';
import { eventually, isAlive, killAll, pollUntilFinished, startDemoBuild } from '../support/builds.js';
import { TEST_ADMIN_KEY } from '../support/credentials.js';
import { freePort, SIDE_PORTS } from '../support/ports.js';
import { request } from '../support/stack.js';
import { spawnNode, START_SCRIPT, startedPid, type NodeProcess } from '../support/start-script.js';

/**
 * `npm start`'s supervisor with BUILDCAST_EMBEDDED=1 and no Postgres of its own: it creates a
 * cluster in an empty BUILDCAST_DATA_DIR, runs a build on it, stops with the stack, and the
 * next start finds the build again.
 */
describe('npm start: embedded Postgres', () => {
  let dataDir: string;
  let supervisor: ChildProcess | undefined;
  const seenPids: number[] = [];

  beforeAll(async () => {
    if (!existsSync(path.resolve('dist/libs/launch/src/index.js')))
      throw new Error('run `npm run build` first');
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'buildcast-embedded-'));
    // As root, Postgres runs as the user postgres, which must be able to enter the folder.
    await chmod(dataDir, 0o755);
  });
  afterAll(async () => {
    if (supervisor && supervisor.exitCode === null && supervisor.signalCode === null) {
      supervisor.kill('SIGKILL'); // the process hosting Postgres then stops it by itself
    }
    killAll(seenPids); // only if the test failed half-way
    await eventually(
      async () => ((await Promise.all(seenPids.map(isAlive))).some(Boolean) ? undefined : true),
      'every process of the stack to be gone',
      30_000,
    ).catch(() => undefined);
    await rm(dataDir, { recursive: true, force: true });
  });

  /** Starts the stack; resolves once its API answers. */
  async function startStack(): Promise<NodeProcess & { apiUrl: string }> {
    const [apiPort, gatewayPort, closedPort] = [await freePort(), await freePort(), await freePort()];
    const apiUrl = `http://127.0.0.1:${apiPort}/api`;
    const stack = spawnNode([START_SCRIPT], {
      API_PORT: String(apiPort),
      GATEWAY_PORT: String(gatewayPort),
      ...SIDE_PORTS,
      BUILDCAST_EMBEDDED: '1',
      BUILDCAST_DATA_DIR: dataDir,
      BUILDCAST_ADMIN_KEY: TEST_ADMIN_KEY,
      // Nothing listens there: BUILDCAST_EMBEDDED=1 runs on Postgres alone.
      REDIS_URL: `redis://127.0.0.1:${closedPort}`,
      DATABASE_POOL_SIZE: '3',
    });
    supervisor = stack.child;
    for (const app of ['api', 'gateway', 'runner']) {
      const pid = await eventually(
        () => Promise.resolve(startedPid(stack.output(), app)),
        `${app}'s pid`,
        120_000,
      );
      seenPids.push(pid);
    }
    await eventually(
      async () =>
        (await request(`${apiUrl}/health`).catch(() => undefined))?.status === 200 ? true : undefined,
      'the API to be healthy',
      120_000,
    );
    return { ...stack, apiUrl };
  }

  /** The pid of the running embedded Postgres, from its lock file. */
  const postgresPid = async () =>
    Number((await readFile(path.join(dataDir, 'postgres', 'postmaster.pid'), 'utf8')).split('\n')[0]);

  /** SIGTERM to the supervisor: every app, then Postgres, stop; it exits 0. */
  async function stopStack(stack: NodeProcess, postgres: number) {
    stack.child.kill('SIGTERM');
    const [code] = await stack.exited;
    expect(code).toBe(0);
    expect(await isAlive(postgres)).toBe(false);
    expect(existsSync(path.join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false); // a clean shutdown
    const output = stack.output();
    const afterSignal = output.slice(output.indexOf('[start] SIGTERM'));
    expect(afterSignal).toContain('[start] embedded Postgres stopped');
    expect(afterSignal).not.toMatch(/restart/);
  }

  it(
    'creates the cluster on the first start, keeps the builds through a restart',
    async () => {
      const first = await startStack();
      expect(first.output()).toContain(
        `[start] database: embedded Postgres in ${dataDir} (BUILDCAST_EMBEDDED=1)`,
      );
      expect(first.output()).toMatch(
        /\[start\] embedded Postgres ready on 127\.0\.0\.1:\d+ in [\d.]+ s \(cluster created/,
      );
      // No Redis anywhere: every app runs its announcements and build queue on Postgres.
      expect(first.output()).toMatch(/\[start\] transport: postgres \(BUILDCAST_EMBEDDED=1/);
      // (The apps start at their own pace on a busy machine: the API may answer first.)
      await eventually(
        () =>
          Promise.resolve(
            first.output().match(/run on Postgres: LISTEN\/NOTIFY/g)?.length === 3 || undefined,
          ),
        'the three apps to say which transport they run on',
        120_000,
      );
      const { projectId, sessionId } = await startDemoBuild(first.apiUrl, 'embedded', 1);
      const events = await pollUntilFinished(first.apiUrl, projectId, sessionId);
      const before = await request<Snapshot>(`${first.apiUrl}/projects/${projectId}/builds/${sessionId}`);
      expect(before.body.session.status).toBe('completed');
      await stopStack(first, await postgresPid());

      const second = await startStack();
      expect(second.output()).toMatch(
        /\[start\] embedded Postgres ready on 127\.0\.0\.1:\d+ in [\d.]+ s \(cluster reused/,
      );
      const after = await request<Snapshot>(`${second.apiUrl}/projects/${projectId}/builds/${sessionId}`);
      expect(after.status).toBe(200);
      expect(after.body).toEqual(before.body);
      expect(await pollUntilFinished(second.apiUrl, projectId, sessionId)).toEqual(events);
      await stopStack(second, await postgresPid());
    },
    6 * 60_000,
  );
});
