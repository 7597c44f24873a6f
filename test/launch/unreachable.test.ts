import { existsSync } from 'node:fs';
import path from 'node:path';
import { eventually } from '../support/builds.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { freePort, SIDE_PORTS } from '../support/ports.js';
import { spawnNode, START_SCRIPT } from '../support/start-script.js';

/** Runs `node <args>` to its end (or until `until` shows in its output, then SIGTERM). */
async function run(args: string[], env: Record<string, string>, until?: string) {
  const node = spawnNode(args, { ...SIDE_PORTS, ...env });
  if (until !== undefined) {
    await eventually(() => Promise.resolve(node.output().includes(until) || undefined), until, 60_000);
    node.child.kill('SIGTERM');
  }
  const [code] = await node.exited;
  return { code, output: node.output() };
}

/** A start-up with a service missing names it, its address and what to do, in a few lines. */
describe('start-up with a service missing', () => {
  let database: TestDatabase | undefined;
  beforeAll(() => {
    if (!existsSync(path.resolve('dist/apps/api/src/main.js'))) throw new Error('run `npm run build` first');
  });
  afterAll(() => database?.drop());

  it('npm start: a configured Postgres that does not answer stops it before anything starts', async () => {
    const [postgresPort, redisPort] = [await freePort(), await freePort()];
    const { code, output } = await run([START_SCRIPT], {
      DATABASE_URL: `postgres://postgres:hunter2@127.0.0.1:${postgresPort}/buildcast`,
      REDIS_URL: `redis://127.0.0.1:${redisPort}`,
    });
    expect(code).toBe(1);
    const lines = output.trimEnd().split('\n');
    expect(lines[0]).toBe(
      `[start] Postgres is not reachable at 127.0.0.1:${postgresPort} ` +
        `(DATABASE_URL=postgres://postgres@127.0.0.1:${postgresPort}/buildcast).`,
    );
    expect(output).toContain('[start]   or run without it: BUILDCAST_EMBEDDED=1 npm start');
    expect(output).toContain(`[start] Redis is not reachable at 127.0.0.1:${redisPort} (REDIS_URL) either.`);
    expect(lines.length).toBeLessThan(12);
    expect(output).not.toContain('hunter2');
    expect(output).not.toMatch(/started \(pid/);
  });

  it('an app on its own: a few one-line retries, then which Postgres, where and how, and exit 1', async () => {
    const port = await freePort();
    const { code, output } = await run(['dist/apps/api/src/main.js'], {
      DATABASE_URL: `postgres://postgres:hunter2@127.0.0.1:${port}/buildcast`,
      API_PORT: String(await freePort()),
    });
    expect(code).toBe(1);
    expect(output).toContain(`Postgres at 127.0.0.1:${port} does not answer`);
    expect(output).toContain(
      `Postgres is not reachable at 127.0.0.1:${port} (DATABASE_URL=postgres://postgres@127.0.0.1:${port}/buildcast)`,
    );
    expect(output).toContain('BUILDCAST_EMBEDDED=1 npm start');
    expect(output).not.toContain('hunter2');
    expect(output).not.toMatch(/^\s+at /m); // no stack trace
    expect(output.trimEnd().split('\n').length).toBeLessThan(15);
  });

  it('npm start: a configured Redis that does not answer is said clearly, and the apps start anyway', async () => {
    database = await createTestDatabase();
    const redisPort = await freePort();
    const { code, output } = await run(
      [START_SCRIPT],
      {
        DATABASE_URL: database.url,
        REDIS_URL: `redis://127.0.0.1:${redisPort}`,
        API_PORT: String(await freePort()),
        GATEWAY_PORT: String(await freePort()),
      },
      '[start] runner started',
    );
    expect(code).toBe(0);
    expect(output).toContain(`[start] transport: redis redis://127.0.0.1:${redisPort} (REDIS_URL)`);
    expect(output).toContain(
      `[start] Redis is not reachable at 127.0.0.1:${redisPort} (REDIS_URL): the apps start anyway and keep retrying`,
    );
  });
});
