import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { runCli } from '../../apps/cli/src/cli.js';
import { eventually, FIXTURES, withBuildsHeld } from '../support/builds.js';
import { freePort, startGateway, type TestGateway } from '../support/gateway.js';
import { request, startStack, TEST_ADMIN_KEY, type TestStack } from '../support/stack.js';

const CLI_MAIN = path.resolve('dist/apps/cli/src/main.js');

interface CliResult {
  code: number;
  out: string[];
  err: string;
}

/** A CLI command running in this process: what it printed so far, and its result once it ends. */
interface CliRun {
  out: string[];
  ended: boolean;
  done: Promise<CliResult>;
}

/** Starts the CLI in this process with `env` (the admin key unless told otherwise), capturing what it prints. */
function startCliWith(env: Record<string, string | undefined>, ...argv: string[]): CliRun {
  const out: string[] = [];
  const err: string[] = [];
  const run: CliRun = {
    out,
    ended: false,
    done: runCli(argv, { out: (line) => out.push(line), err: (line) => err.push(line), env }).then((code) => {
      run.ended = true;
      return { code, out, err: err.join('\n') };
    }),
  };
  return run;
}

const cliWith = (env: Record<string, string | undefined>, ...argv: string[]) =>
  startCliWith(env, ...argv).done;
const startCli = (...argv: string[]) => startCliWith({ BUILDCAST_KEY: TEST_ADMIN_KEY }, ...argv);
const cli = (...argv: string[]) => startCli(...argv).done;

/** Waits until a watching command printed its build's first line (or ended: its result says why). */
async function joined(run: CliRun): Promise<CliRun> {
  await eventually(
    () => Promise.resolve(run.ended || run.out.some((line) => line.startsWith('Build ')) ? true : undefined),
    'the watch to print its build',
  );
  return run;
}

/** Runs the built CLI as its own process, with only `env` (and PATH). */
function cliProcess(env: Record<string, string>, ...argv: string[]) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [CLI_MAIN, ...argv],
      { env: { PATH: process.env.PATH ?? '', ...env } },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

/** A port nothing listens on: one the system just gave out and took back. */
async function closedPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('the buildcast CLI against a running stack', () => {
  let stack: TestStack;
  let gateway: TestGateway | undefined;
  let url: string;
  const replay = (file: string, project: string, interval: string, ...more: string[]) => [
    'replay',
    file,
    '--format',
    'claude-stream-json',
    '--project',
    project,
    '--url',
    url,
    '--interval',
    interval,
    ...more,
  ];
  let tmp: string;
  beforeAll(async () => {
    tmp = await mkdtemp(path.join(os.tmpdir(), 'buildcast-cli-'));
    // The whole app at one URL: the API forwards /ws to this gateway.
    const gatewayPort = await freePort();
    stack = await startStack({ workers: 1, env: { GATEWAY_URL: `http://127.0.0.1:${gatewayPort}` } });
    gateway = await startGateway(stack.config, gatewayPort);
    url = new URL(stack.apiUrl).origin;
  });
  afterAll(async () => {
    await gateway?.close();
    await stack?.close();
    await rm(tmp, { recursive: true, force: true });
  });

  /**
   * Runs a command that starts a build and watches it, the build held in the queue until the
   * watch has printed it: a watch prints the state it finds, then each change after it.
   */
  const watchingFromQueued = async (...argv: string[]) =>
    (await withBuildsHeld(stack.workers, () => joined(startCli(...argv)))).done;

  it('replays a transcript into a project named on the command line, then watches it finish', async () => {
    const file = path.join(FIXTURES, 'claude-stream-json_taskcreate-taskupdate.jsonl');
    const { projectId, sessionId, watching } = await withBuildsHeld(stack.workers, async () => {
      const posted = await cli(...replay(file, 'cli demo', '20'));
      expect(posted.code).toBe(0);
      expect(posted.err).toMatch(/^Created project "cli demo" \(/);
      expect(posted.out).toHaveLength(1);
      const match = new RegExp(`^${url}/projects/([0-9a-f-]{36})/builds/([0-9a-f-]{36})$`).exec(
        posted.out[0],
      );
      expect(match).not.toBeNull();
      const [, projectId, sessionId] = match!;
      // Watched from before it starts (it is held in the queue), so its last line is the end.
      const watching = await joined(startCli('watch', 'cli demo', sessionId, '--url', url));
      return { projectId, sessionId, watching };
    });

    const watched = await watching.done;
    expect(watched.err).toBe('');
    expect(watched.code).toBe(0);
    expect(watched.out[0]).toMatch(new RegExp(`^Build ${sessionId} · claude-code · queued · `));
    expect(watched.out.at(-1)).toBe('■ completed · 100% (3/3 todos)');

    const snapshot = await request(`${stack.apiUrl}/projects/${projectId}/builds/${sessionId}`);
    expect(snapshot.body.session.status).toBe('completed');
    // The same project again by name: no second one is created.
    const again = await cli(...replay(file, 'cli demo', '0'));
    expect(again.err).toBe('');
    expect(again.out[0]).toContain(`/projects/${projectId}/builds/`);
  });

  it('prints each change of a build, and exits 1 when it does not complete', async () => {
    const errors = await watchingFromQueued(
      ...replay(path.join(FIXTURES, 'claude-stream-json_errors.jsonl'), 'cli errors', '5', '--watch'),
    );
    expect(errors.code).toBe(0); // its last run succeeded
    expect(errors.out.slice(1)).toEqual([
      expect.stringMatching(/^Build [0-9a-f-]{36} · claude-code · queued · 0% \(0\/0 todos\)$/),
      '▶ started · claude-code · claude-does-not-exist-9',
      expect.stringMatching(/^ {2}· There's an issue with the selected model/),
      expect.stringMatching(/^ {2}· Run failed: There's an issue/),
      '  → Bash false',
      '  ✗ Bash: Exit code 1',
      '  → Read ~/tmp/agent-chat-fixtures/claude/sandbox/does-not-exist.txt',
      expect.stringMatching(/^ {2}✗ Read: File does not exist\./),
      '  · Both ran as instructed, no retries:',
      '■ completed · 100% (0/0 todos)',
    ]);

    const failing = path.join(tmp, 'failing.jsonl');
    await writeFile(
      failing,
      JSON.stringify({ type: 'session.finished', data: { status: 'failed', error: 'tests red' } }),
    );
    const failed = await watchingFromQueued(
      'replay',
      failing,
      '--format',
      'buildcast-ndjson',
      '--project',
      'cli errors',
      '--url',
      url,
      '--watch',
    );
    expect(failed.code).toBe(1);
    expect(failed.out.at(-1)).toBe('■ failed · 0% (0/0 todos): tests red');
  });

  it('explains bad arguments with exit code 2', async () => {
    await expect(cli()).resolves.toEqual(
      expect.objectContaining({ code: 2, err: expect.stringContaining('Usage:') }),
    );
    await expect(cli('replay', 'x.jsonl', '--project', 'p', '--url', url)).resolves.toEqual(
      expect.objectContaining({
        code: 2,
        err: expect.stringContaining('--format must be one of claude-stream-json'),
      }),
    );
    await expect(
      cli('replay', '/nonexistent.jsonl', '--format', 'codex-json', '--project', 'p', '--url', url),
    ).resolves.toEqual(
      expect.objectContaining({
        code: 2,
        err: expect.stringContaining('cannot read /nonexistent.jsonl: ENOENT'),
      }),
    );
    await expect(cli('watch', 'p', '--url', url)).resolves.toEqual(expect.objectContaining({ code: 2 }));
    await expect(cli('deploy')).resolves.toEqual(
      expect.objectContaining({ code: 2, err: expect.stringContaining('unknown command "deploy"') }),
    );
    await expect(cli('watch', 'a', 'b', '--bogus')).resolves.toEqual(
      expect.objectContaining({ code: 2, err: expect.stringContaining("Unknown option '--bogus'") }),
    );
    await expect(cli('watch', 'a', 'b', '--url', 'ftp://x')).resolves.toEqual(
      expect.objectContaining({ code: 2 }),
    );
  });

  it('says what the server refused (exit 1) and when it cannot be reached (exit 3)', async () => {
    const unknownSession = await cli(
      'watch',
      'cli demo',
      '00000000-0000-4000-8000-000000000000',
      '--url',
      url,
    );
    expect(unknownSession.code).toBe(1);
    expect(unknownSession.err).toMatch(/404 Build 00000000-0000-4000-8000-000000000000 not found/);
    const unknownProject = await cli(
      'watch',
      'no such project',
      '00000000-0000-4000-8000-000000000000',
      '--url',
      url,
    );
    expect(unknownProject).toEqual(
      expect.objectContaining({ code: 1, err: 'buildcast: no project is named "no such project"' }),
    );
    const closed = `http://127.0.0.1:${await closedPort()}`;
    const down = await cli('watch', 'p', 's', '--url', closed);
    expect(down).toEqual(
      expect.objectContaining({
        code: 3,
        err: `buildcast: Cannot reach Buildcast at ${closed}: ECONNREFUSED`,
      }),
    );
  });

  it('creates, lists and revokes API keys; a created key works until it is revoked', async () => {
    const project = await cli(
      ...replay(path.join(FIXTURES, 'claude-stream-json_errors.jsonl'), 'cli keys', '0'),
    );
    expect(project.code).toBe(0);
    const projectId = /\/projects\/([0-9a-f-]{36})\//.exec(project.out[0])![1];

    const created = await cli(
      'keys',
      'create',
      '--name',
      'cli reader',
      '--scope',
      'builds:read',
      '--scope',
      'builds:write',
      '--project',
      'cli keys',
      '--url',
      url,
    );
    expect(created.code).toBe(0);
    expect(created.out).toEqual([expect.stringMatching(/^bc_[a-z0-9]+_\S+$/)]);
    const key = created.out[0];
    expect(created.err).toMatch(
      new RegExp(
        `^Created key "cli reader" \\(([0-9a-f-]{36}), (bc_[a-z0-9]+)\\) with builds:read, builds:write for project ${projectId}\\.\n`,
      ),
    );
    expect(created.err).toContain('this is the only time it is shown; it cannot be shown again');
    const [, id, prefix] = /\(([0-9a-f-]{36}), (bc_[a-z0-9]+)\)/.exec(created.err)!;
    expect(key.startsWith(`${prefix}_`)).toBe(true);

    // The new key, from the environment: it may read its project's builds …
    const asReader = (...argv: string[]) => cliWith({ BUILDCAST_KEY: key, BUILDCAST_URL: url }, ...argv);
    const sessionId = /\/builds\/([0-9a-f-]{36})$/.exec(project.out[0])![1];
    const watched = await asReader('watch', projectId, sessionId);
    expect(watched).toEqual(expect.objectContaining({ code: 0, err: '' }));
    // … but not manage keys: 403 names the scope, exit 4.
    const denied = await asReader('keys', 'list');
    expect(denied.code).toBe(4);
    expect(denied.err).toBe('buildcast: GET /keys: 403 This credential lacks the scope this needs: admin');

    const listed = await cli('keys', 'list', '--url', url);
    expect(listed.code).toBe(0);
    expect(listed.out[0]).toMatch(/^ID +NAME +PREFIX +SCOPES +PROJECT +CREATED +LAST USED +REVOKED$/);
    const row = listed.out.find((line) => line.startsWith(id))!;
    expect(row.split(/ {2,}/)).toEqual([
      id,
      'cli reader',
      prefix,
      'builds:read,builds:write',
      projectId,
      expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ$/),
      // It was used above, but its last use is written in the background: maybe not yet.
      expect.stringMatching(/^(-|\d{4}-\d\d-\d\d \d\d:\d\d:\d\dZ)$/),
      '-',
    ]);
    expect(listed.out.join('\n')).not.toContain(key);

    await expect(cli('keys', 'revoke', id, '--url', url)).resolves.toEqual({
      code: 0,
      out: [`Revoked key ${id}: it stops working now.`],
      err: '',
    });
    const revoked = await asReader('watch', projectId, sessionId);
    expect(revoked.code).toBe(4);
    expect(revoked.err).toMatch(
      /401 The credential is unknown, revoked or expired\n.*set BUILDCAST_KEY or pass --key/,
    );
    const relisted = await cli('keys', 'list', '--url', url);
    expect(
      relisted.out
        .find((line) => line.startsWith(id))!
        .split(/ {2,}/)
        .at(-1),
    ).toMatch(/^\d{4}-/);
    const unknown = await cli('keys', 'revoke', '00000000-0000-4000-8000-000000000000', '--url', url);
    expect(unknown).toEqual(
      expect.objectContaining({
        code: 1,
        err: 'buildcast: DELETE /keys/00000000-0000-4000-8000-000000000000: 404 Key 00000000-0000-4000-8000-000000000000 not found',
      }),
    );
    expect((await cli('keys', 'create', '--scope', 'admin', '--url', url)).err).toContain(
      '--name is required',
    );
    expect((await cli('keys', 'rotate', '--url', url)).code).toBe(2);
  });

  it('run as a process: without a key it says to set BUILDCAST_KEY or pass --key (exit 4); BUILDCAST_URL and BUILDCAST_KEY work', async () => {
    const anonymous = await cliProcess({ BUILDCAST_URL: url }, 'keys', 'list');
    expect(anonymous.code).toBe(4);
    expect(anonymous.stdout).toBe('');
    expect(anonymous.stderr).toBe(
      'buildcast: GET /keys: 401 Authentication required: send an API key as Authorization: Bearer <key>, or sign in\n' +
        'No API key given: set BUILDCAST_KEY or pass --key.\n',
    );
    const keyed = await cliProcess({ BUILDCAST_URL: url, BUILDCAST_KEY: TEST_ADMIN_KEY }, 'keys', 'list');
    expect(keyed).toEqual(expect.objectContaining({ code: 0, stderr: '' }));
    expect(keyed.stdout).toMatch(/^ID +NAME/);
    // --key wins over BUILDCAST_KEY.
    const wrong = await cliProcess(
      { BUILDCAST_URL: url, BUILDCAST_KEY: TEST_ADMIN_KEY },
      'keys',
      'list',
      '--key',
      'bc_nosuchkey_0123456789abcdefghijklmnopqrstuv',
    );
    expect(wrong.code).toBe(4);
    expect(wrong.stderr).toContain('401 The credential is unknown, revoked or expired');
    expect(wrong.stderr).toContain('set BUILDCAST_KEY or pass --key');
  });
});
