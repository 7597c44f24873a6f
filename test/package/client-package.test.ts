import { execFile, spawn } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { promisify } from 'node:util';
import { startDemoBuild, withBuildsHeld } from '../support/builds.js';
import { freePort, startGateway, type TestGateway } from '../support/gateway.js';
import { startStack, TEST_ADMIN_KEY, type TestStack } from '../support/stack.js';

const run = promisify(execFile);
const REPO = process.cwd();
const TSC = path.join(REPO, 'node_modules/typescript/bin/tsc');

/**
 * `@buildcast/client` as someone else gets it: packed with `npm pack`, installed from the
 * tarball into a scratch project outside the repository, type-checked there with tsc, and
 * run from Node against the real API, gateway and runner.
 */
describe('the packed @buildcast/client', () => {
  let stack: TestStack;
  let gateway: TestGateway | undefined;
  let scratch: string;
  let appUrl: string;

  beforeAll(async () => {
    const gatewayPort = await freePort();
    stack = await startStack({ workers: 1, env: { GATEWAY_URL: `http://127.0.0.1:${gatewayPort}` } });
    gateway = await startGateway(stack.config, gatewayPort);
    appUrl = stack.apiUrl.replace(/\/api$/, '');
    scratch = await mkdtemp(path.join(tmpdir(), 'buildcast-client-package-'));
  }, 120_000);
  afterAll(async () => {
    await gateway?.close();
    await stack?.close();
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  /** The user's own installs of what the package leaves to them (this sandbox has no registry). */
  const provide = (...names: string[]) =>
    Promise.all(
      names.map((name) =>
        symlink(path.join(REPO, 'node_modules', name), path.join(scratch, 'node_modules', name)),
      ),
    );

  it('installs offline with no dependencies, type-checks strictly, and watches a demo build to its end', async () => {
    // Packing runs the package's prepack: a clean build of libs/client/dist.
    const packed = path.join(scratch, 'packed');
    await mkdir(packed);
    await run('npm', ['pack', '--pack-destination', packed], { cwd: path.join(REPO, 'libs/client') });
    const [tarball] = await readdir(packed);
    expect(tarball).toMatch(/^buildcast-client-.+\.tgz$/);

    await cp(path.join(REPO, 'test/fixtures/client-package'), scratch, { recursive: true });
    await run('npm', ['install', '--offline', '--no-audit', '--no-fund', path.join(packed, tarball)], {
      cwd: scratch,
    });
    // Nothing came with it: no runtime dependencies, react only an optional peer.
    expect(
      (await readdir(path.join(scratch, 'node_modules'))).filter((name) => !name.startsWith('.')),
    ).toEqual(['@buildcast']);
    const installed = path.join(scratch, 'node_modules/@buildcast/client');
    const imports = await importSpecifiers(installed);
    expect(imports.length).toBeGreaterThan(10);
    expect(imports.filter((specifier) => !specifier.startsWith('.') && specifier !== 'react')).toEqual([]);

    await mkdir(path.join(scratch, 'node_modules/@types'));
    await provide('ws', '@types/ws', '@types/node');
    await run(process.execPath, [TSC, '-p', 'tsconfig.json'], { cwd: scratch });

    // react is not installed yet: the main entry must not need it.
    // The build waits in the queue until the watch is live: it follows the build over the socket.
    const { child, projectId, sessionId } = await withBuildsHeld(stack.workers, async () => {
      const build = await startDemoBuild(stack.apiUrl, 'packed client', 20);
      const script = nodeScript(['out/main.js', appUrl, build.projectId, build.sessionId, TEST_ADMIN_KEY]);
      await script.lineMatching((line) => line.status === 'live');
      return { child: script, ...build };
    });
    const { result } = await child.lineMatching((line) => line.result !== undefined);
    expect(await child.exit).toBe(0);
    expect(result).toEqual({
      status: 'completed',
      seq: result.snapshotSeq,
      percent: 100,
      toolCalls: result.snapshotToolCalls,
      snapshotSeq: expect.any(Number),
      snapshotToolCalls: expect.any(Number),
      tokensAsked: expect.any(Number),
    });
    expect(result.toolCalls).toBeGreaterThan(0);
    expect(result.tokensAsked).toBeGreaterThanOrEqual(1);

    // The React subpath: with react installed, it type-checks and renders on the server.
    await provide('react', 'react-dom', '@types/react', '@types/react-dom');
    await run(process.execPath, [TSC, '-p', 'tsconfig.react.json'], { cwd: scratch });
    const { stdout } = await run(process.execPath, ['out/react-usage.js', appUrl, projectId, sessionId], {
      cwd: scratch,
    });
    expect(stdout.trim()).toBe('<p>connecting, 0 %</p>');
  }, 600_000);

  /** A Node script in the scratch project, read line by line (JSON lines). */
  function nodeScript(args: string[]) {
    const child = spawn(process.execPath, args, { cwd: scratch, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
    const lines: Record<string, any>[] = [];
    const waiting = new Set<() => void>();
    readline.createInterface({ input: child.stdout }).on('line', (line) => {
      lines.push(JSON.parse(line));
      for (const wake of waiting) wake();
    });
    return {
      exit,
      /** The first line (already printed or still to come) that `matches`; fails if the script ends first. */
      lineMatching: (matches: (line: Record<string, any>) => boolean) =>
        new Promise<Record<string, any>>((resolve, reject) => {
          const check = () => {
            const found = lines.find(matches);
            if (!found) return;
            waiting.delete(check);
            resolve(found);
          };
          waiting.add(check);
          check();
          void exit.then((code) => {
            check();
            if (waiting.has(check)) reject(new Error(`the script ended (${code}): ${stderr}`));
          });
        }),
    };
  }
});

/** Every module specifier in the package's .js and .d.ts files. */
async function importSpecifiers(root: string): Promise<string[]> {
  const files = (await readdir(root, { recursive: true })).filter((file) => /\.(js|d\.ts)$/.test(file));
  const specifiers: string[] = [];
  for (const file of files) {
    const text = await readFile(path.join(root, file), 'utf8');
    for (const [, specifier] of text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g))
      specifiers.push(specifier);
  }
  return specifiers;
}
