import { Redis } from 'ioredis';
import pg from 'pg';
import type { BuildEvent, EventsPage, StartBuildResponse } from '#contracts';
import { createWorker } from '../../apps/runner-worker/src/create-worker.js';
import { eventually } from '../support/builds.js';
import { startOwnRedis, type OwnRedis } from '../support/own-services.js';
import { request, startStack, type TestStack } from '../support/stack.js';

/** Also the queued-session sweeper's grace period (its tick is a sixth of it). */
const INTERRUPT_AFTER_MS = '3000';
const OUTAGE_MS = 10_000;

/** A buildcast-ndjson transcript of `lines` messages, then the end (the runner adds the start). */
function transcript(lines: number, text = (i: number) => `line ${i}`): string {
  return [
    ...Array.from({ length: lines }, (_, i) =>
      JSON.stringify({ type: 'message', data: { role: 'assistant', text: text(i) } }),
    ),
    JSON.stringify({ type: 'session.finished', data: { status: 'completed' } }),
  ].join('\n');
}

/** Redis only announces: an outage or an empty restart of it costs no commit and no build. */
describe('Redis outages', () => {
  let redis: OwnRedis;
  let stack: TestStack;
  let db: pg.Client;
  let builds: string;

  const sessionRow = async (sessionId: string) => {
    const { rows } = await db.query<{ status: string; last_seq: number; error: string | null }>(
      'SELECT status, last_seq, error FROM build_sessions WHERE id = $1',
      [sessionId],
    );
    return rows[0];
  };
  const ended = (sessionId: string) =>
    eventually(
      async () => {
        const row = await sessionRow(sessionId);
        return row.status === 'queued' || row.status === 'running' ? undefined : row;
      },
      `build ${sessionId} to end`,
      90_000,
    );
  const start = async (body: Record<string, unknown>) => {
    const started = await request<StartBuildResponse>(builds, { body });
    expect(started.status).toBe(202);
    return started.body.sessionId;
  };
  const allEvents = async (sessionId: string) => {
    const page = await request<EventsPage>(`${builds}/${sessionId}/events?after=0&limit=1000`);
    return page.body.events;
  };
  const jobHash = async (sessionId: string) => {
    const client = new Redis(redis.url, { maxRetriesPerRequest: 1 });
    try {
      return await client.hgetall(`${stack.config.queuePrefix}:builds:${sessionId}`);
    } finally {
      client.disconnect();
    }
  };
  const addWorker = async () => stack.workers.push(await createWorker(stack.config, ['error']));

  beforeAll(async () => {
    redis = await startOwnRedis();
    stack = await startStack({ env: { REDIS_URL: redis.url, INTERRUPT_AFTER_MS } });
    db = new pg.Client({ connectionString: stack.config.databaseUrl });
    await db.connect();
    const project = await request(`${stack.apiUrl}/projects`, { body: { name: 'redis outages' } });
    builds = `${stack.apiUrl}/projects/${project.body.id}/builds`;
  });
  afterAll(async () => {
    await db?.end();
    await stack?.close();
    await redis?.close();
  });

  it('keeps jobs to ids: the transcript stays in Postgres and the worker reads it there', async () => {
    const marker = 'only-in-postgres-7f3a';
    const sessionId = await start({
      agent: 'replay',
      format: 'buildcast-ndjson',
      transcript: transcript(5, (i) => `${marker} ${i}`),
    });
    const job = await jobHash(sessionId);
    expect(JSON.parse(job.data)).toEqual({ sessionId, projectId: expect.any(String) });
    expect(Object.values(job).join('\n')).not.toContain(marker);

    await addWorker();
    await expect(ended(sessionId)).resolves.toMatchObject({ status: 'completed' });
    const texts = (await allEvents(sessionId)).filter((event) => event.type === 'message');
    expect(texts.map((event) => (event.data as { text: string }).text)).toEqual(
      [0, 1, 2, 3, 4].map((i) => `${marker} ${i}`),
    );
  });

  it('commits on while Redis is down, accepts builds, and loses none', async () => {
    if (stack.workers.length === 0) await addWorker();
    const replay = await start({
      agent: 'replay',
      format: 'buildcast-ndjson',
      transcript: transcript(600),
      eventIntervalMs: 30,
    });
    await eventually(async () => ((await sessionRow(replay)).last_seq >= 10 ? true : undefined), 'commits');
    const stoppedAt = Date.now();
    await redis.stop();
    let restarted = false;
    try {
      const seqAtStop = (await sessionRow(replay)).last_seq;
      // A request resolves (it used to wait for the reconnect), and the build is accepted.
      const during = await request<StartBuildResponse>(builds, {
        body: { agent: 'demo', eventIntervalMs: 1 },
      });
      expect(during.status).toBe(202);
      // A long-poll without Redis polls Postgres: it answers, with the events committed meanwhile.
      const poll = await request<EventsPage>(`${builds}/${replay}/events?after=${seqAtStop}&waitMs=3000`);
      expect(poll.status).toBe(200);
      expect(poll.body.events.length).toBeGreaterThan(0);
      // A cancel cannot reach the worker holding the build: 503, and no `cancelled` audit entry stays.
      const cancel = await request(`${builds}/${replay}/cancel`, { method: 'POST' });
      expect(cancel.status).toBe(503);
      const audit = await db.query<{ action: string }>(
        'SELECT action FROM build_audit WHERE session_id = $1 ORDER BY id',
        [replay],
      );
      expect(audit.rows.map((row) => row.action)).toEqual(['started']);
      // Commits go on during the outage: the seq keeps growing in Postgres.
      await eventually(
        async () => ((await sessionRow(replay)).last_seq >= seqAtStop + 50 ? true : undefined),
        '50 commits while Redis is down',
        30_000,
      );
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, OUTAGE_MS - (Date.now() - stoppedAt))));
      expect((await sessionRow(replay)).status).toBe('running');
      await redis.start();
      restarted = true;
      await expect(ended(during.body.sessionId)).resolves.toMatchObject({ status: 'completed' });
    } finally {
      if (!restarted) await redis.start();
    }
    await expect(ended(replay)).resolves.toEqual({ status: 'completed', last_seq: 602, error: null });
    const events: BuildEvent[] = await allEvents(replay);
    expect(events.map((event) => event.seq)).toEqual(Array.from({ length: 602 }, (_, i) => i + 1));
    expect(events.at(-1)?.type).toBe('session.finished');
  });

  it('runs every build that was queued when Redis restarted empty', async () => {
    for (const worker of stack.workers.splice(0)) await worker.close();
    const queued = [];
    for (let i = 0; i < 3; i++) queued.push(await start({ agent: 'demo', eventIntervalMs: 1 }));
    await expect(jobHash(queued[0])).resolves.toHaveProperty('data');
    await redis.stop();
    await redis.start();
    await expect(jobHash(queued[0])).resolves.toEqual({});

    await addWorker();
    for (const sessionId of queued) {
      await expect(ended(sessionId)).resolves.toMatchObject({ status: 'completed' });
    }
  });

  it('interrupts a queued build that has no stored request, with the reason', async () => {
    for (const worker of stack.workers.splice(0)) await worker.close();
    const sessionId = await start({ agent: 'demo' });
    // As if queued by a version that kept the request in the job.
    await db.query('DELETE FROM build_requests WHERE session_id = $1', [sessionId]);
    await addWorker();
    const row = await ended(sessionId);
    expect(row.status).toBe('interrupted');
    expect(row.error).toMatch(/build request was not stored/);
  });
});
