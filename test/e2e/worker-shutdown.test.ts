import type { INestApplicationContext } from '@nestjs/common';
import pg from 'pg';
import { createWorker } from '../../apps/runner-worker/src/create-worker.js';
import { eventually } from '../support/builds.js';
import { slowTranscript } from '../support/outage.js';
import { request, startStack, type TestStack } from '../support/stack.js';
import { buildJobWaiting, TRANSPORTS } from '../support/transports.js';

/** Builds running as the worker closes: all of its REPLAY_CONCURRENCY slots. */
const RUNNING = 50;
/** Builds queued behind them, which a closing worker must not take. */
const WAITING = 5;

describe.each(TRANSPORTS)('a runner-worker closed with many builds running, over %s', (transport) => {
  let stack: TestStack;
  let db: pg.Client;
  let builds: string;
  let worker: INestApplicationContext | undefined;

  beforeAll(async () => {
    stack = await startStack({
      transport,
      env: { REPLAY_CONCURRENCY: String(RUNNING), BUILD_STARTS_PER_MINUTE: '1000' },
    });
    db = new pg.Client({ connectionString: stack.config.databaseUrl });
    await db.connect();
    const project = await request(`${stack.apiUrl}/projects`, { body: { name: 'shutdown' } });
    builds = `${stack.apiUrl}/projects/${project.body.id}/builds`;
  });
  afterAll(async () => {
    await worker?.close();
    await db?.end();
    await stack?.close();
  });

  /** 32 lines a minute apart: half an hour long unless stopped. */
  const transcript = slowTranscript(30);
  async function startSlowReplays(count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const started = await request(builds, {
        body: { agent: 'replay', format: 'buildcast-ndjson', transcript, eventIntervalMs: 60_000 },
      });
      expect(started.status).toBe(202);
      ids.push(started.body.sessionId);
    }
    return ids;
  }

  const statuses = async (ids: string[]) => {
    const { rows } = await db.query<{ status: string; n: number }>(
      'SELECT status, count(*)::int AS n FROM build_sessions WHERE id = ANY($1) GROUP BY status',
      [ids],
    );
    return Object.fromEntries(rows.map((row) => [row.status, row.n]));
  };

  it('takes no new build, ends every running one interrupted with its log complete, and returns', async () => {
    worker = await createWorker(stack.config, ['error']);
    const running = await startSlowReplays(RUNNING);
    await eventually(
      async () => ((await statuses(running)).running === RUNNING ? true : undefined),
      `${RUNNING} builds running`,
      180_000,
    );
    const waiting = await startSlowReplays(WAITING);

    await worker.close(); // the requirement: it returns, without a bound on how soon
    worker = undefined;

    const { rows: ended } = await db.query<{ status: string; error: string; lastSeq: number }>(
      'SELECT status, error, last_seq AS "lastSeq" FROM build_sessions WHERE id = ANY($1)',
      [running],
    );
    expect(ended).toHaveLength(RUNNING);
    for (const session of ended) {
      expect(session).toEqual({
        status: 'interrupted',
        error: 'The runner-worker shut down during the build',
        lastSeq: expect.any(Number),
      });
    }
    // Every log is whole: seqs 1..last without a gap, started first, finished last and once.
    const { rows: logs } = await db.query<{
      count: number;
      maxSeq: number;
      first: string;
      last: string;
      finished: number;
    }>(
      `SELECT count(*)::int AS count, max(seq) AS "maxSeq",
              (array_agg(type ORDER BY seq))[1] AS first, (array_agg(type ORDER BY seq DESC))[1] AS last,
              count(*) FILTER (WHERE type = 'session.finished')::int AS finished
         FROM build_events WHERE session_id = ANY($1) GROUP BY session_id`,
      [running],
    );
    expect(logs).toHaveLength(RUNNING);
    for (const log of logs) {
      expect(log).toEqual({
        count: log.maxSeq,
        maxSeq: expect.any(Number),
        first: 'session.started',
        last: 'session.finished',
        finished: 1,
      });
    }

    // The builds queued behind them were left for another worker: unclaimed, their jobs there.
    expect(await statuses(waiting)).toEqual({ queued: WAITING });
    const { rows: unclaimed } = await db.query(
      'SELECT id FROM build_sessions WHERE id = ANY($1) AND worker_id IS NULL',
      [waiting],
    );
    expect(unclaimed).toHaveLength(WAITING);
    for (const sessionId of waiting)
      expect(await buildJobWaiting(stack.api, transport, sessionId)).toBe(true);
  }, 600_000); // 55 builds started and 50 ended on two busy cores: no bound meant on either
});
