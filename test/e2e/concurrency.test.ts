import pg from 'pg';
import type { SessionSummary } from '#contracts';
import { eventually, pollUntilFinished } from '../support/builds.js';
import { request, startStack, type TestStack } from '../support/stack.js';
import { TRANSPORTS } from '../support/transports.js';

const BUILDS = 20;
const transcript = [
  { type: 'session.started', data: { agentId: 'x', model: 'm', projectName: 'x' } },
  { type: 'message', data: { role: 'assistant', text: 'working' } },
  { type: 'message', data: { role: 'assistant', text: 'still working' } },
  { type: 'session.finished', data: { status: 'completed' } },
]
  .map((line) => JSON.stringify(line))
  .join('\n');

describe.each(TRANSPORTS)('two runner-workers sharing the queue over %s', (transport) => {
  let stack: TestStack;
  beforeAll(async () => {
    // Replays take REPLAY_CONCURRENCY slots: 3 each, so that one worker cannot take all 20.
    stack = await startStack({ transport, workers: 2, env: { REPLAY_CONCURRENCY: '3' } });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it(`run each of ${BUILDS} builds exactly once`, async () => {
    const project = await request(`${stack.apiUrl}/projects`, { body: { name: 'concurrency' } });
    const projectId: string = project.body.id;
    const sessionIds: string[] = [];
    for (let i = 0; i < BUILDS; i++) {
      const started = await request(`${stack.apiUrl}/projects/${projectId}/builds`, {
        body: { agent: 'replay', format: 'buildcast-ndjson', transcript, eventIntervalMs: 100 },
      });
      expect(started.status).toBe(202);
      sessionIds.push(started.body.sessionId);
    }
    const logs = await Promise.all(sessionIds.map((id) => pollUntilFinished(stack.apiUrl, projectId, id)));
    for (const events of logs) {
      expect(events.map((event) => event.seq)).toEqual([1, 2, 3, 4]);
      expect(events.map((event) => event.type)).toEqual([
        'session.started',
        'message',
        'message',
        'session.finished',
      ]);
      expect(events[3].data).toEqual({ status: 'completed', error: null });
    }

    // Each session was held by one worker, and both workers took some (3 at a time each).
    const client = new pg.Client({ connectionString: stack.database.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ worker_id: string; builds: number }>(
        `SELECT worker_id, count(*)::int AS builds FROM build_sessions WHERE project_id = $1 GROUP BY worker_id`,
        [projectId],
      );
      expect(rows).toHaveLength(2);
      expect(rows.every((row) => row.worker_id !== null && row.builds > 0)).toBe(true);
      expect(rows.reduce((sum, row) => sum + row.builds, 0)).toBe(BUILDS);
    } finally {
      await client.end();
    }
  });
});

describe.each(TRANSPORTS)('one runner-worker with the default concurrency over %s', (transport) => {
  const REPLAYS = 20;
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({ transport, workers: 1 });
  });
  afterAll(async () => {
    await stack?.close();
  });

  it(`runs ${REPLAYS} replays at once: the live-agent slots (WORKER_CONCURRENCY) do not hold them`, async () => {
    expect(stack.config.workerConcurrency).toBeLessThan(REPLAYS);
    const project = await request(`${stack.apiUrl}/projects`, { body: { name: 'replays at once' } });
    const builds = `${stack.apiUrl}/projects/${project.body.id}/builds`;
    // Each replay commits its first line, then waits a minute before its next: it stays running
    // until cancelled, so all of them running together cannot come from some having finished.
    const held = [transcript.split('\n')[0], transcript.split('\n')[1]].join('\n');
    const sessionIds: string[] = [];
    for (let i = 0; i < REPLAYS; i++) {
      const started = await request(builds, {
        body: { agent: 'replay', format: 'buildcast-ndjson', transcript: held, eventIntervalMs: 60_000 },
      });
      expect(started.status).toBe(202);
      sessionIds.push(started.body.sessionId);
    }
    const statuses = async () =>
      (await request<SessionSummary[]>(`${builds}?limit=100`)).body.map((session) => session.status);
    await eventually(
      async () =>
        (await statuses()).filter((status) => status === 'running').length === REPLAYS ? true : undefined,
      `all ${REPLAYS} replays to be running`,
      60_000,
    );

    for (const sessionId of sessionIds) {
      expect((await request(`${builds}/${sessionId}/cancel`, { method: 'POST' })).status).toBe(202);
    }
    await eventually(
      async () => ((await statuses()).every((status) => status === 'cancelled') ? true : undefined),
      'every replay to end cancelled',
      60_000,
    );
  });
});
