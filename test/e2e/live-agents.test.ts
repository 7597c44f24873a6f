import { mkdir, mkdtemp, readFile, rm, stat, utimes } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import type { Snapshot, ToolCallDetail } from '#contracts';
import { loadConfig } from '#config';
import { createWorker } from '../../apps/runner-worker/src/create-worker.js';
import { WorkDirectories } from '../../apps/runner-worker/src/agents/live/work-directories.js';
import {
  FAKE_AGENT,
  cancelByRequest,
  fakeAgentPids,
  foldFromQueued,
  isAlive,
  pollUntilFinished,
} from '../support/builds.js';
import { request, startStack, type TestStack } from '../support/stack.js';

const SMALL_NDJSON = path.resolve(process.cwd(), 'test/fixtures/buildcast-ndjson_small.jsonl');

describe('live agents through a fake CLI (real process handling and parsers)', () => {
  let stack: TestStack;
  let workRoot: string;
  let builds: string;

  beforeAll(async () => {
    workRoot = await mkdtemp(path.join(os.tmpdir(), 'buildcast-live-'));
    stack = await startStack({
      workers: 1,
      env: {
        LIVE_AGENTS: 'claude-code,codex,command',
        CLAUDE_BIN: FAKE_AGENT,
        CODEX_BIN: FAKE_AGENT,
        CODEX_ARGS: '--skip-git-repo-check',
        COMMAND_BIN: FAKE_AGENT,
        AGENT_WORK_ROOT: workRoot,
        CANCEL_GRACE_MS: '500',
        TOOL_OUTPUT_MAX_BYTES: '300',
      },
    });
    const project = await request(`${stack.apiUrl}/projects`, { body: { name: 'live' } });
    builds = `${stack.apiUrl}/projects/${project.body.id}/builds`;
  });
  afterAll(async () => {
    await stack?.close();
    await rm(workRoot, { recursive: true, force: true });
  });

  async function runToEnd(body: Record<string, unknown>) {
    const started = await request(builds, { body });
    expect(started.status).toBe(202);
    const { sessionId, projectId } = started.body;
    const events = await pollUntilFinished(stack.apiUrl, projectId, sessionId);
    const snapshot = await request<Snapshot>(`${builds}/${sessionId}`);
    return { sessionId, events, snapshot: snapshot.body };
  }

  it('streams claude-code output as it is printed, in its own working directory', async () => {
    const { sessionId, events, snapshot } = await runToEnd({
      agent: 'claude-code',
      prompt: 'fake:play=claude-stream-json_taskcreate-taskupdate.jsonl,delay=2',
    });
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    expect(events[0].type).toBe('session.started');
    expect(events.filter((event) => event.type === 'session.finished')).toHaveLength(1);
    expect(snapshot).toEqual(foldFromQueued(snapshot, events));
    expect(snapshot.session).toEqual(
      expect.objectContaining({ status: 'completed', agent: 'claude-code', agentId: 'claude-code' }),
    );
    expect(snapshot.session.model).toEqual(expect.stringContaining('claude'));
    expect(snapshot.session.progress).toEqual({ completed: 3, total: 3, percent: 100 });
    // Its working directory is the worker user's alone: agents' files hold source and secrets.
    const directory = await stat(path.join(workRoot, sessionId));
    expect(directory.mode & 0o777).toBe(0o700);
    // The agent gets the AGENT_ENV allow-list, not the worker's environment.
    const started = JSON.parse(await readFile(path.join(workRoot, sessionId, 'pids.json'), 'utf8')) as {
      env: string[];
      argv: string[];
    };
    // The prompt comes last, after `--`, so it can never be read as an option.
    expect(started.argv.slice(-2)).toEqual([
      '--',
      'fake:play=claude-stream-json_taskcreate-taskupdate.jsonl,delay=2',
    ]);
    expect(started.env).toContain('CLAUDE_BIN'); // allowed by the default CLAUDE_*
    expect(started.env).not.toContain('DATABASE_URL');
    expect(started.env).not.toContain('REDIS_URL');
    expect(started.env).not.toContain('NODE_OPTIONS'); // set in this jest process
  });

  it('deletes build directories past AGENT_WORK_RETENTION_HOURS, and nothing else', async () => {
    const { sessionId } = await runToEnd({ agent: 'command', prompt: 'fake:delay=1' });
    const old = randomUUID();
    const eightDaysAgo = new Date(Date.now() - 8 * 24 * 3_600_000);
    for (const name of [old, 'notes']) {
      await mkdir(path.join(workRoot, name));
      await utimes(path.join(workRoot, name), eightDaysAgo, eightDaysAgo);
    }
    await expect(stack.workers[0].get(WorkDirectories).prune()).resolves.toEqual([old]);
    await expect(stat(path.join(workRoot, old))).rejects.toThrow(/ENOENT/);
    await expect(stat(path.join(workRoot, 'notes'))).resolves.toBeDefined();
    await expect(stat(path.join(workRoot, sessionId))).resolves.toBeDefined();
  });

  it('runs codex exec --json and a buildcast-ndjson command', async () => {
    const codex = await runToEnd({
      agent: 'codex',
      prompt: 'fake:play=codex-exec-json_command-execution.jsonl',
    });
    expect(codex.snapshot.session).toEqual(
      expect.objectContaining({ status: 'completed', agentId: 'codex' }),
    );
    expect(codex.snapshot.toolCalls.map((call) => call.name)).toContain('command');

    const command = await runToEnd({ agent: 'command', prompt: `fake:play=${SMALL_NDJSON}` });
    expect(command.snapshot.session).toEqual(
      expect.objectContaining({ status: 'completed', agentId: 'command', model: 'runner-1' }),
    );
    expect(command.snapshot.toolCalls).toEqual([expect.objectContaining({ id: 't1', output: 'ok' })]);
  });

  it('fails a build whose process exits non-zero without a result, with the end of its stderr', async () => {
    const { snapshot, events } = await runToEnd({
      agent: 'claude-code',
      prompt: 'fake:stderr=boom: no credits,exit=3',
    });
    expect(snapshot.session.status).toBe('failed');
    expect(snapshot.session.error).toBe(`CLAUDE_BIN "${FAKE_AGENT}" exited with code 3: boom: no credits`);
    expect(events.at(-1)?.data).toEqual({ status: 'failed', error: snapshot.session.error });
  });

  it('cancels a running agent: SIGTERM to its group, SIGKILL after the grace, session cancelled', async () => {
    const started = await request(builds, {
      body: {
        agent: 'claude-code',
        prompt:
          'fake:play=claude-stream-json_taskcreate-taskupdate.jsonl,delay=1,hang=1,child=1,ignoreTerm=1',
      },
    });
    const { sessionId, projectId } = started.body;
    const pids = await fakeAgentPids(workRoot, sessionId);
    expect(pids).toHaveLength(2); // the agent and a child of its own
    await expect(Promise.all(pids.map(isAlive))).resolves.toEqual([true, true]);

    await cancelByRequest(stack.apiUrl, projectId, sessionId);
    // The session ends only once the whole group is gone (both ignored SIGTERM).
    await expect(Promise.all(pids.map(isAlive))).resolves.toEqual([false, false]);
    const again = await request(`${builds}/${sessionId}/cancel`, { method: 'POST' });
    expect(again.status).toBe(409);
  });

  it('shortens tool outputs over TOOL_OUTPUT_MAX_BYTES in events and keeps the full text', async () => {
    const output = `${'x'.repeat(299)}é and more`;
    const transcript = [
      {
        type: 'tool.started',
        data: { toolCallId: 'big', name: 'Bash', input: { command: 'cat big' }, todoIndex: null },
      },
      { type: 'tool.finished', data: { toolCallId: 'big', output, isError: false } },
      { type: 'tool.started', data: { toolCallId: 'small', name: 'Bash', input: {}, todoIndex: null } },
      { type: 'tool.finished', data: { toolCallId: 'small', output: 'fine', isError: false } },
      { type: 'session.finished', data: { status: 'completed' } },
    ]
      .map((line) => JSON.stringify(line))
      .join('\n');
    const { sessionId, events, snapshot } = await runToEnd({
      agent: 'replay',
      format: 'buildcast-ndjson',
      transcript,
      eventIntervalMs: 0,
    });
    const finished = events.filter((event) => event.type === 'tool.finished').map((event) => event.data);
    // 299 bytes of x, then é (2 bytes) would pass 300: cut before it.
    expect(finished).toEqual([
      { toolCallId: 'big', output: 'x'.repeat(299), isError: false, outputTruncated: true },
      { toolCallId: 'small', output: 'fine', isError: false },
    ]);
    expect(snapshot.toolCalls.map((call) => [call.id, call.outputTruncated])).toEqual([
      ['big', true],
      ['small', false],
    ]);

    const full = await request<ToolCallDetail>(`${builds}/${sessionId}/tool-calls/big`);
    expect(full.status).toBe(200);
    expect(full.body).toEqual(
      expect.objectContaining({
        id: 'big',
        output,
        outputTruncated: true,
        outputBytes: 310,
        status: 'succeeded',
      }),
    );
    const small = await request<ToolCallDetail>(`${builds}/${sessionId}/tool-calls/small`);
    expect(small.body).toEqual(
      expect.objectContaining({ output: 'fine', outputTruncated: false, outputBytes: 4 }),
    );
    const unknown = await request(`${builds}/${sessionId}/tool-calls/nope`);
    expect(unknown.status).toBe(404);
    const badSession = await request(`${builds}/not-a-uuid/tool-calls/big`);
    expect(badSession.status).toBe(400);
  });
});

describe('a missing agent CLI', () => {
  let stack: TestStack;
  let worker: INestApplicationContext | undefined;
  beforeAll(async () => {
    stack = await startStack({
      env: {
        LIVE_AGENTS: 'claude-code,codex,command',
        CLAUDE_BIN: '/nonexistent/claude',
        CODEX_BIN: FAKE_AGENT,
      },
    });
  });
  afterAll(async () => {
    await worker?.close();
    await stack?.close();
  });

  it('is a 400 naming the variable and the binary at build start', async () => {
    const project = await request(`${stack.apiUrl}/projects`, { body: { name: 'missing' } });
    const builds = `${stack.apiUrl}/projects/${project.body.id}/builds`;
    const claude = await request(builds, { body: { agent: 'claude-code', prompt: 'hello' } });
    expect(claude.status).toBe(400);
    expect(claude.body.message).toEqual([
      'agent: Agent claude-code is not installed: CLAUDE_BIN "/nonexistent/claude" was not found or is not executable',
    ]);
    const command = await request(builds, { body: { agent: 'command' } });
    expect(command.status).toBe(400);
    expect(command.body.message).toEqual(['agent: Agent command is not configured: set COMMAND_BIN']);
    const noPrompt = await request(builds, { body: { agent: 'codex' } });
    expect(noPrompt.status).toBe(400);
    expect(noPrompt.body.message).toEqual(expect.arrayContaining([expect.stringContaining('prompt')]));
  });

  it('fails the build clearly when the runner-worker cannot find it', async () => {
    // The API finds codex; this worker's configuration does not.
    worker = await createWorker(
      loadConfig(
        stack.childEnv({ DATABASE_POOL_SIZE: '3', LIVE_AGENTS: 'codex', CODEX_BIN: '/nonexistent/codex' }),
      ),
      ['error'],
    );
    const project = await request(`${stack.apiUrl}/projects`, { body: { name: 'gone later' } });
    const builds = `${stack.apiUrl}/projects/${project.body.id}/builds`;
    const started = await request(builds, { body: { agent: 'codex', prompt: 'hello' } });
    expect(started.status).toBe(202);
    const events = await pollUntilFinished(stack.apiUrl, project.body.id, started.body.sessionId);
    expect(events.map((event) => event.type)).toEqual(['session.started', 'session.finished']);
    expect(events[1].data).toEqual({
      status: 'failed',
      error:
        'Agent codex is not installed: CODEX_BIN "/nonexistent/codex" was not found or is not executable (on the runner-worker)',
    });
  });
});

describe('live agents are off unless LIVE_AGENTS names them', () => {
  let stack: TestStack;
  let worker: INestApplicationContext | undefined;
  let workRoot: string;
  let builds: string;
  beforeAll(async () => {
    workRoot = await mkdtemp(path.join(os.tmpdir(), 'buildcast-off-'));
    // Every CLI is installed; only codex is enabled on the API.
    stack = await startStack({
      env: { LIVE_AGENTS: 'codex', CLAUDE_BIN: FAKE_AGENT, CODEX_BIN: FAKE_AGENT, COMMAND_BIN: FAKE_AGENT },
    });
    const project = await request(`${stack.apiUrl}/projects`, { body: { name: 'off' } });
    builds = `${stack.apiUrl}/projects/${project.body.id}/builds`;
  });
  afterAll(async () => {
    await worker?.close();
    await stack?.close();
    await rm(workRoot, { recursive: true, force: true });
  });

  it('a live agent that is not enabled is a 400 naming agent and how to enable it, CLI or not', async () => {
    for (const agent of ['claude-code', 'command']) {
      const refused = await request(builds, { body: { agent, prompt: 'fake:play=x.jsonl' } });
      expect(refused.status).toBe(400);
      expect(refused.body.message).toEqual([
        `agent: Agent ${agent} is not enabled: live agents run only when LIVE_AGENTS names them (e.g. LIVE_AGENTS=${agent})`,
      ]);
    }
    const sessions = await request(builds);
    expect(sessions.body).toEqual([]); // nothing was queued
  });

  it('a runner-worker that does not enable it fails the build and never starts the process', async () => {
    // The API enables codex; this worker (no LIVE_AGENTS) does not.
    worker = await createWorker(
      loadConfig(
        stack.childEnv({ DATABASE_POOL_SIZE: '3', CODEX_BIN: FAKE_AGENT, AGENT_WORK_ROOT: workRoot }),
      ),
      ['error'],
    );
    const started = await request(builds, {
      body: { agent: 'codex', prompt: 'fake:play=codex-exec-json_command-execution.jsonl' },
    });
    expect(started.status).toBe(202);
    const { projectId, sessionId } = started.body;
    const events = await pollUntilFinished(stack.apiUrl, projectId, sessionId);
    expect(events.map((event) => event.type)).toEqual(['session.started', 'session.finished']);
    expect(events[1].data).toEqual({
      status: 'failed',
      error:
        'Agent codex is not enabled: live agents run only when LIVE_AGENTS names them (e.g. LIVE_AGENTS=codex) (on the runner-worker)',
    });
    // The agent never ran: its working directory was never made.
    await expect(stat(path.join(workRoot, sessionId))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
