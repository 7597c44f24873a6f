import pg from 'pg';
import { pollUntilFinished } from '../support/builds.js';
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
    stack = await startStack({ transport, workers: 2, env: { WORKER_CONCURRENCY: '3' } });
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
