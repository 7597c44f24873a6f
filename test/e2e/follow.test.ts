import { spawn, type ChildProcess } from 'node:child_process';
import { appendFile, mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Snapshot } from '#contracts';
import { createParser } from '#transcripts';
import { eventually, FIXTURES } from '../support/builds.js';
import { request, startStack, TEST_ADMIN_KEY, type TestStack } from '../support/stack.js';

const CLI_MAIN = path.resolve('dist/apps/cli/src/main.js');

/** The built CLI as its own process: what it printed so far, and its exit code once it ends. */
interface FollowRun {
  child: ChildProcess;
  stdout: string[];
  stderr: string[];
  exited: Promise<number | null>;
}

function startFollow(env: Record<string, string>, ...argv: string[]): FollowRun {
  const child = spawn(process.execPath, [CLI_MAIN, 'follow', ...argv], {
    env: { PATH: process.env.PATH ?? '', BUILDCAST_KEY: TEST_ADMIN_KEY, ...env },
  });
  const run: FollowRun = {
    child,
    stdout: [],
    stderr: [],
    exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))),
  };
  child.stdout.setEncoding('utf8').on('data', (text: string) => run.stdout.push(...text.split('\n')));
  child.stderr.setEncoding('utf8').on('data', (text: string) => run.stderr.push(text));
  return run;
}

/** The ids of the tool calls a transcript's lines start (the oracle for what the build shows). */
function toolCallIds(format: 'claude-stream-json' | 'claude-session-log', lines: string[]): string[] {
  const parser = createParser(format, { agentId: 'external', projectName: 'p', prompt: null, model: null });
  return lines
    .flatMap((line) => parser.parseLine(line))
    .flatMap((event) => (event.type === 'tool.started' ? [event.data.toolCallId] : []));
}

const fixtureLines = async (name: string) =>
  (await readFile(path.join(FIXTURES, name), 'utf8')).split('\n').filter((line) => line.trim() !== '');

/**
 * `buildcast follow`: the CLI follows a file that this test writes line by line, parses it
 * itself and streams it into an external build (no runner-worker involved).
 */
describe('buildcast follow, against a running API', () => {
  let stack: TestStack;
  let url: string;
  let tmp: string;

  beforeAll(async () => {
    stack = await startStack({ workers: 0 });
    url = new URL(stack.apiUrl).origin;
    tmp = await mkdtemp(path.join(os.tmpdir(), 'buildcast-follow-'));
  });
  afterAll(async () => {
    await stack?.close();
    await rm(tmp, { recursive: true, force: true });
  });

  const snapshotOf = async (projectId: string, sessionId: string) =>
    (await request<Snapshot>(`${stack.apiUrl}/projects/${projectId}/builds/${sessionId}`)).body;

  /** Waits for the build URL the CLI prints first. */
  async function buildOf(run: FollowRun): Promise<{ projectId: string; sessionId: string }> {
    const pattern = new RegExp(`^${url}/projects/([0-9a-f-]{36})/builds/([0-9a-f-]{36})$`);
    return eventually(() => {
      const match = run.stdout.map((line) => pattern.exec(line)).find((found) => found !== null);
      if (match) return Promise.resolve({ projectId: match[1], sessionId: match[2] });
      if (run.child.exitCode !== null) throw new Error(`follow exited early: ${run.stderr.join('')}`);
      return Promise.resolve(undefined);
    }, 'the build URL');
  }

  async function toolCallsShown(projectId: string, sessionId: string, ids: string[]): Promise<void> {
    await eventually(async () => {
      const shown = (await snapshotOf(projectId, sessionId)).toolCalls.map((call) => call.id);
      return shown.length === ids.length ? shown : undefined;
    }, `${ids.length} tool calls in the snapshot`);
  }

  it('streams a growing stream-json file and finishes the build when the result line arrives', async () => {
    const lines = await fixtureLines('claude-stream-json_subagent-task-notification.jsonl');
    const file = path.join(tmp, 'stream.jsonl');
    await writeFile(file, '');
    // No --format: detected from the first lines.
    const run = startFollow({}, file, '--project', 'follow demo', '--url', url);
    const { projectId, sessionId } = await buildOf(run);

    for (const [index, line] of lines.slice(0, -1).entries()) {
      // Half a line first: nothing of it may be read before its newline.
      const half = Math.floor(line.length / 2);
      await appendFile(file, line.slice(0, half));
      await appendFile(file, `${line.slice(half)}\n`);
      const expected = toolCallIds('claude-stream-json', lines.slice(0, index + 1));
      await toolCallsShown(projectId, sessionId, expected);
    }
    const before = await snapshotOf(projectId, sessionId);
    expect(before.session.status).toBe('running');
    expect(run.child.exitCode).toBeNull();

    await appendFile(file, `${lines.at(-1)}\n`);
    expect(await run.exited).toBe(0);
    const after = await snapshotOf(projectId, sessionId);
    expect(after.session).toMatchObject({ status: 'completed', agent: 'external' });
    const all = toolCallIds('claude-stream-json', lines);
    expect(all.length).toBeGreaterThan(0);
    expect(after.toolCalls.map((call) => call.id).sort()).toEqual([...all].sort());
    expect(after.toolCalls.every((call) => call.status === 'succeeded')).toBe(true);
    expect(run.stdout).toContain('Build completed');
  });

  it('follows the newest Claude Code session of a directory, and Ctrl-C ends the build cancelled', async () => {
    const lines = await fixtureLines('claude-session-log_2.1.29-todowrite-task.jsonl');
    const workDir = path.join(tmp, 'my_app.v2');
    const configDir = path.join(tmp, 'claude-config');
    const sessions = path.join(configDir, 'projects', workDir.replace(/[^a-zA-Z0-9]/g, '-'));
    await mkdir(sessions, { recursive: true });
    const older = path.join(sessions, 'older.jsonl');
    await writeFile(older, `${lines[0]}\n`);
    await utimes(older, new Date(1_000_000), new Date(1_000_000));
    const file = path.join(sessions, 'current.jsonl');
    await writeFile(file, '');

    const firstCall = lines.findIndex(
      (_, index) => toolCallIds('claude-session-log', lines.slice(0, index + 1)).length > 0,
    );
    expect(firstCall).toBeGreaterThanOrEqual(0);
    const run = startFollow(
      { CLAUDE_CONFIG_DIR: configDir },
      '--claude',
      workDir,
      '--project',
      'follow demo',
      '--url',
      url,
    );
    const { projectId, sessionId } = await buildOf(run);
    expect(run.stderr.join('')).toContain(`Following ${file}`);
    for (const line of lines.slice(0, firstCall + 1)) await appendFile(file, `${line}\n`);
    await toolCallsShown(
      projectId,
      sessionId,
      toolCallIds('claude-session-log', lines.slice(0, firstCall + 1)),
    );

    run.child.kill('SIGINT');
    expect(await run.exited).toBe(1);
    const after = await snapshotOf(projectId, sessionId);
    expect(after.session.status).toBe('cancelled');
    expect(run.stdout).toContain('Build cancelled');
  });
});
