import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { eventually, isAlive, killAll } from '../support/builds.js';
import { spawnNode, type NodeProcess } from '../support/start-script.js';

const LAUNCH = path.resolve('dist/libs/launch/src/index.js');

/** A launcher as start.mjs uses it: the embedded Postgres of DATA_DIR, until it is killed. */
const LAUNCHER = `
const { startDatabase } = await import(process.env.LAUNCH);
await startDatabase({ kind: 'embedded', dataDir: process.env.DATA_DIR }, (line) => console.log(line));
setInterval(() => undefined, 60_000);
`;

/** What a crash leaves behind an embedded Postgres, and how the next start copes with it. */
describe('embedded Postgres after a crash', () => {
  let dataDir: string;
  const seenPids: number[] = [];

  beforeAll(async () => {
    if (!existsSync(LAUNCH)) throw new Error('run `npm run build` first');
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'buildcast-crash-'));
    await chmod(dataDir, 0o755); // as root, Postgres runs as the user postgres
  });
  afterAll(async () => {
    killAll(seenPids); // only if a test failed half-way
    await rm(dataDir, { recursive: true, force: true });
  });

  const lockFile = () => path.join(dataDir, 'postgres', 'postmaster.pid');
  const postgresPid = async () => Number((await readFile(lockFile(), 'utf8')).split('\n')[0]);
  /** The parent of a process (Linux's /proc, as isAlive uses). */
  const parentOf = async (pid: number) => {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  };

  async function launch(): Promise<NodeProcess & { postgres: number }> {
    const launcher = spawnNode(['--input-type=module', '-e', LAUNCHER], { LAUNCH, DATA_DIR: dataDir });
    seenPids.push(launcher.child.pid!);
    await eventually(
      () => Promise.resolve(/embedded Postgres ready/.test(launcher.output()) || undefined),
      'the embedded Postgres to be ready',
      60_000,
    );
    const postgres = await postgresPid();
    seenPids.push(postgres);
    return { ...launcher, postgres };
  }

  const gone = (pid: number, what: string) =>
    eventually(async () => ((await isAlive(pid)) ? undefined : true), what, 60_000);

  it('a killed launcher leaves no Postgres running: its host stops it', async () => {
    const launcher = await launch();
    launcher.child.kill('SIGKILL');
    await gone(launcher.postgres, 'Postgres to stop');
    expect(existsSync(lockFile())).toBe(false); // a clean shutdown
  }, 120_000);

  it('a Postgres orphaned by a killed host is stopped by the next start, which then runs', async () => {
    const first = await launch();
    const host = await parentOf(first.postgres);
    first.child.kill('SIGKILL');
    process.kill(host, 'SIGKILL');
    await gone(host, 'the host to die');
    expect(await isAlive(first.postgres)).toBe(true); // still serving the cluster

    const second = await launch();
    expect(second.output()).toContain(
      `a Postgres from an earlier start (pid ${first.postgres}) still runs on this cluster: stopping it`,
    );
    expect(await isAlive(first.postgres)).toBe(false);
    expect(second.postgres).not.toBe(first.postgres);
    second.child.kill('SIGKILL');
    await gone(second.postgres, 'Postgres to stop');
  }, 120_000);
});
