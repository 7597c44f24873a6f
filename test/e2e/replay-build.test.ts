import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { EventsPage, Snapshot } from '#contracts';
import { FIXTURES, foldFromQueued, pollUntilFinished } from '../support/builds.js';
import { request, startStack, type TestStack } from '../support/stack.js';

describe('a replay build end to end (API + runner-worker, real Postgres and Redis)', () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({ workers: 1 });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('streams the TaskCreate/TaskUpdate transcript to a long-poller, and the snapshot equals the fold', async () => {
    const transcript = await readFile(
      path.join(FIXTURES, 'claude-stream-json_taskcreate-taskupdate.jsonl'),
      'utf8',
    );
    const project = await request(`${stack.apiUrl}/projects`, { body: { name: 'e2e replay' } });
    expect(project.status).toBe(201);
    const projectId: string = project.body.id;

    const started = await request(`${stack.apiUrl}/projects/${projectId}/builds`, {
      body: { agent: 'replay', format: 'claude-stream-json', transcript, eventIntervalMs: 5 },
    });
    expect(started.status).toBe(202);
    expect(started.body).toEqual({ sessionId: expect.any(String), projectId, status: 'queued' });
    const sessionId: string = started.body.sessionId;

    const events = await pollUntilFinished(stack.apiUrl, projectId, sessionId);
    // Every seq 1..N exactly once, in order; started first, finished last.
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    expect(events[0].type).toBe('session.started');
    expect(events.at(-1)?.type).toBe('session.finished');
    expect(events.filter((event) => event.type === 'session.finished')).toHaveLength(1);

    const { status, body: snapshot } = await request<Snapshot>(
      `${stack.apiUrl}/projects/${projectId}/builds/${sessionId}`,
    );
    expect(status).toBe(200);
    const folded = foldFromQueued(snapshot, events);
    expect(snapshot).toEqual(folded);

    expect(snapshot.seq).toBe(events.length);
    expect(snapshot.session.status).toBe('completed');
    expect(snapshot.session.agentId).toBe('claude-code');
    expect(snapshot.session.model).toEqual(expect.stringContaining('claude'));
    expect(snapshot.session.progress).toEqual({ completed: 3, total: 3, percent: 100 });
    expect(snapshot.todos.map((todo) => [todo.content, todo.status])).toEqual([
      ['read a.txt', 'completed'],
      ['read b.txt', 'completed'],
      ['report both first words', 'completed'],
    ]);
    expect(snapshot.toolCalls.map((call) => [call.name, call.status, call.todoIndex])).toEqual([
      ['ToolSearch', 'succeeded', null],
      ['Read', 'succeeded', 0],
      ['Read', 'succeeded', 1],
    ]);

    const listed = await request(`${stack.apiUrl}/projects/${projectId}/builds`);
    expect(listed.body).toEqual([
      expect.objectContaining({ id: sessionId, status: 'completed', seq: events.length }),
    ]);
  });

  it('replays a Claude Code session log, and keeps sub-agent calls under their Agent call in the snapshot', async () => {
    const project = await request(`${stack.apiUrl}/projects`, { body: { name: 'e2e formats' } });
    const projectId: string = project.body.id;
    const replay = async (format: string, file: string) => {
      const transcript = await readFile(path.join(FIXTURES, file), 'utf8');
      const started = await request(`${stack.apiUrl}/projects/${projectId}/builds`, {
        body: { agent: 'replay', format, transcript, eventIntervalMs: 1 },
      });
      expect(started.status).toBe(202);
      const events = await pollUntilFinished(stack.apiUrl, projectId, started.body.sessionId);
      const { body: snapshot } = await request<Snapshot>(
        `${stack.apiUrl}/projects/${projectId}/builds/${started.body.sessionId}`,
      );
      expect(snapshot).toEqual(foldFromQueued(snapshot, events));
      return snapshot;
    };

    const log = await replay('claude-session-log', 'claude-session-log_2.1.29-todowrite-task.jsonl');
    expect(log.session.status).toBe('completed');
    expect(log.session.agentId).toBe('claude-code');
    expect(log.session.model).toBe('deepseek-v4-pro');
    expect(log.toolCalls.map((call) => [call.name, call.todoIndex, call.parentToolCallId])).toEqual([
      ['Task', 0, null],
    ]);

    const agent = 'toolu_018p31vMhM5kEr97n4CL84fN';
    const stream = await replay('claude-stream-json', 'claude-stream-json_subagent-task-notification.jsonl');
    expect(stream.toolCalls.map((call) => [call.id, call.name, call.parentToolCallId])).toEqual([
      [agent, 'Agent', null],
      ['toolu_01NF7VUp1VvXRismHVn2CXN4', 'Bash', agent],
      ['toolu_01WnswCe1ixCMSm6W9KmcJYx', 'Read', agent],
    ]);
  });

  it('runs the built-in demo build to completion with every todo done', async () => {
    const project = await request(`${stack.apiUrl}/projects`, { body: { name: 'e2e demo' } });
    const started = await request(`${stack.apiUrl}/projects/${project.body.id}/builds`, {
      body: { agent: 'demo', eventIntervalMs: 1 },
    });
    expect(started.status).toBe(202);
    const events = await pollUntilFinished(stack.apiUrl, project.body.id, started.body.sessionId);
    const snapshot = (
      await request<Snapshot>(`${stack.apiUrl}/projects/${project.body.id}/builds/${started.body.sessionId}`)
    ).body;
    expect(snapshot.seq).toBe(events.length);
    expect(snapshot.session.status).toBe('completed');
    expect(snapshot.session.progress.percent).toBe(100);
    expect(snapshot.todos.every((todo) => todo.status === 'completed')).toBe(true);
    expect(snapshot.toolCalls.filter((call) => call.status === 'failed')).toHaveLength(1);
    expect(snapshot.toolCalls.every((call) => call.status !== 'running')).toBe(true);
  });

  it('a long-poll with nothing new answers after waitMs with the cursor unchanged', async () => {
    const project = await request(`${stack.apiUrl}/projects`, { body: { name: 'e2e idle' } });
    const started = await request(`${stack.apiUrl}/projects/${project.body.id}/builds`, {
      body: { agent: 'demo', eventIntervalMs: 1 },
    });
    const base = `${stack.apiUrl}/projects/${project.body.id}/builds/${started.body.sessionId}/events`;
    const all = await pollUntilFinished(stack.apiUrl, project.body.id, started.body.sessionId);
    const before = Date.now();
    const { body } = await request<EventsPage>(`${base}?after=${all.length}&waitMs=3000`);
    // A finished session has nothing more to wait for: it answers at once.
    expect(Date.now() - before).toBeLessThan(2000);
    expect(body).toEqual({ events: [], seq: all.length, latestSeq: all.length, finished: true });
    const limited = await request<EventsPage>(`${base}?after=2&limit=3`);
    expect(limited.body.events.map((event) => event.seq)).toEqual([3, 4, 5]);
    expect(limited.body.seq).toBe(5);
    expect(limited.body.finished).toBe(false);
  });

  it('replaces lone surrogates (which Postgres jsonb refuses) with U+FFFD, and the build completes', async () => {
    // JSON.stringify writes a lone surrogate as its escape, as an agent's output would have it.
    const transcript = [
      {
        type: 'todos.updated',
        data: { todos: [{ content: 'Echo', activeForm: 'Echoing', status: 'in_progress' }] },
      },
      {
        type: 'tool.started',
        data: { toolCallId: 't1', name: 'Bash', input: { ['cmd\udfff']: 'echo a\ud800b' } },
      },
      { type: 'tool.finished', data: { toolCallId: 't1', output: 'x\udc00y \ud83d\ude00', isError: false } },
      { type: 'message', data: { text: 'done\ud83d' } },
      {
        type: 'todos.updated',
        data: { todos: [{ content: 'Echo', activeForm: 'Echoing', status: 'completed' }] },
      },
    ]
      .map((line) => JSON.stringify(line))
      .join('\n');
    expect(transcript).toContain('\\ud800');
    const project = await request(`${stack.apiUrl}/projects`, { body: { name: 'e2e surrogates' } });
    const started = await request(`${stack.apiUrl}/projects/${project.body.id}/builds`, {
      body: { agent: 'replay', format: 'buildcast-ndjson', transcript, eventIntervalMs: 0 },
    });
    expect(started.status).toBe(202);
    const events = await pollUntilFinished(stack.apiUrl, project.body.id, started.body.sessionId);
    const { body: snapshot } = await request<Snapshot>(
      `${stack.apiUrl}/projects/${project.body.id}/builds/${started.body.sessionId}`,
    );
    expect(snapshot.session).toMatchObject({ status: 'completed', error: null });
    expect(snapshot.toolCalls).toEqual([
      expect.objectContaining({ input: { ['cmd\uFFFD']: 'echo a\uFFFDb' }, output: 'x\uFFFDy \ud83d\ude00' }),
    ]);
    expect(events.find((event) => event.type === 'message')?.data).toMatchObject({ text: 'done\uFFFD' });
    expect(snapshot).toEqual(foldFromQueued(snapshot, events));
  });
});
