import type { ChildProcess } from 'node:child_process';
import type { INestApplicationContext } from '@nestjs/common';
import { getQueueToken } from '@nestjs/bullmq';
import type { Queue } from 'bullmq';
import pg from 'pg';
import { loadConfig } from '#config';
import { BUILDS_QUEUE } from '#contracts';
import { createWorker } from '../../apps/runner-worker/src/create-worker.js';
import { eventually } from '../support/builds.js';
import { finishedLog, seqReached, slowTranscript, snapshotOnce, startReplay } from '../support/outage.js';
import { request, startStack, type TestStack } from '../support/stack.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';
import { buildJobWaiting, TRANSPORTS } from '../support/transports.js';
import { killWorkerProcess, startWorkerProcess } from '../support/worker-process.js';

const SLOW = slowTranscript(200); // about 50 s at 250 ms a step: still running whenever it is cancelled
const STEP_MS = 250;

/**
 * POST …/cancel ends a build `cancelled` whatever state it is in: the API ends it itself when
 * no live worker holds it, and asks the worker otherwise. Workers that die, freeze or lose
 * Postgres run in child processes (from dist: run `npx tsc -p tsconfig.build.json` first).
 */
describe.each(TRANSPORTS)('cancel in every state, over %s', (transport) => {
  let stack: TestStack;
  let builds: string;
  let database: pg.Client;
  const children: ChildProcess[] = [];
  const proxies: TcpProxy[] = [];
  const workers: INestApplicationContext[] = [];

  beforeAll(async () => {
    stack = await startStack({ transport, workers: 0 });
    const project = await request(`${stack.apiUrl}/projects`, { body: { name: 'cancel' } });
    builds = `${stack.apiUrl}/projects/${project.body.id}/builds`;
    database = new pg.Client({ connectionString: stack.config.databaseUrl });
    await database.connect();
  });
  afterEach(async () => {
    for (const child of children.splice(0)) {
      child.kill('SIGCONT'); // a frozen one, so that it can be killed and reaped
      await killWorkerProcess(child);
    }
    for (const worker of workers.splice(0)) await worker.close();
    for (const proxy of proxies.splice(0)) await proxy.close();
  });
  afterAll(async () => {
    await database?.end();
    await stack?.close();
  });

  const cancel = (sessionId: string) => request(`${builds}/${sessionId}/cancel`, { method: 'POST' });
  const queue = () => stack.api.get<Queue>(getQueueToken(BUILDS_QUEUE)); // Redis only
  const jobWaiting = (sessionId: string) => buildJobWaiting(stack.api, transport, sessionId);

  /** A runner-worker in a child process with a lease of 2/3 of `interruptAfterMs`. */
  async function childWorker(interruptAfterMs: number, databaseUrl = stack.config.databaseUrl) {
    const child = await startWorkerProcess(
      stack.childEnv({ DATABASE_URL: databaseUrl, INTERRUPT_AFTER_MS: String(interruptAfterMs) }),
    );
    children.push(child);
    return child;
  }

  /** A replay running on the (only) worker, past its first events. */
  async function runningBuild(): Promise<string> {
    const sessionId = await startReplay(builds, SLOW, STEP_MS);
    await seqReached(builds, sessionId, 3);
    return sessionId;
  }

  function leaseRunOut(sessionId: string): Promise<true> {
    return eventually(async () => {
      const { rows } = await database.query<{ out: boolean }>(
        'SELECT lease_expires_at < clock_timestamp() AS out FROM build_sessions WHERE id = $1',
        [sessionId],
      );
      return rows[0]?.out ? true : undefined;
    }, `the lease of ${sessionId} to run out`);
  }

  async function expectCancelled(sessionId: string, error: RegExp): Promise<void> {
    await expect(snapshotOnce(builds, sessionId)).resolves.toMatchObject({
      session: { status: 'cancelled', error: expect.stringMatching(error) },
    });
    const events = await finishedLog(stack.apiUrl, builds, sessionId);
    expect(events.at(-1)!.data).toMatchObject({ status: 'cancelled' });
  }

  it('queued, its job waiting: ends cancelled at once and its job is removed', async () => {
    const sessionId = await startReplay(builds, SLOW, STEP_MS);
    await expect(jobWaiting(sessionId)).resolves.toBe(true);
    await expect(cancel(sessionId)).resolves.toEqual({
      status: 202,
      body: { sessionId, status: 'cancelled' },
    });
    await expectCancelled(sessionId, /^Cancelled before it started$/);
    await eventually(async () => ((await jobWaiting(sessionId)) ? undefined : true), 'the job to go');
    await expect(cancel(sessionId)).resolves.toMatchObject({ status: 409 });
  });

  // Over Postgres the queued session row is the job: there is no job to lose apart from it.
  const redisOnly = transport === 'redis' ? it : it.skip;
  redisOnly('queued, its job lost (e.g. Redis restarted): ends cancelled at once', async () => {
    const sessionId = await startReplay(builds, SLOW, STEP_MS);
    await (await queue().getJob(sessionId))!.remove();
    await expect(cancel(sessionId)).resolves.toEqual({
      status: 202,
      body: { sessionId, status: 'cancelled' },
    });
    await expectCancelled(sessionId, /^Cancelled before it started$/);
  });

  it('running on a live worker: the worker stops it', async () => {
    workers.push(await createWorker(stack.config, ['error']));
    const sessionId = await runningBuild();
    await expect(cancel(sessionId)).resolves.toEqual({
      status: 202,
      body: { sessionId, status: 'cancelling' },
    });
    await expectCancelled(sessionId, /^Cancelled by request$/);
  });

  /** A key with `builds:write`, as the admin creates it. */
  async function writerKey(name: string): Promise<{ key: string; prefix: string }> {
    const created = await request<{ key: string; prefix: string }>(`${stack.apiUrl}/keys`, {
      body: { name, scopes: ['builds:write'] },
    });
    expect(created.status).toBe(201);
    return created.body;
  }

  async function auditRows(sessionId: string): Promise<Record<string, unknown>[]> {
    const { rows } = await database.query<Record<string, unknown>>(
      'SELECT action, key_name, key_prefix FROM build_audit WHERE session_id = $1 ORDER BY id',
      [sessionId],
    );
    return rows;
  }

  it('who started and who cancelled a build (queued: in the transaction of its session.finished) is kept with it', async () => {
    const [starter, canceller] = [await writerKey('ci starter'), await writerKey('ci canceller')];
    const started = await request(builds, {
      key: starter.key,
      body: { agent: 'replay', format: 'buildcast-ndjson', transcript: SLOW, eventIntervalMs: STEP_MS },
    });
    expect(started.status).toBe(202);
    const { sessionId } = started.body;
    await expect(
      request(`${builds}/${sessionId}/cancel`, { method: 'POST', key: canceller.key }),
    ).resolves.toMatchObject({ status: 202, body: { status: 'cancelled' } });
    // A refused cancel (already finished) records nothing.
    await expect(cancel(sessionId)).resolves.toMatchObject({ status: 409 });

    const snapshot = await snapshotOnce(builds, sessionId);
    expect(snapshot.session.audit).toEqual([
      { action: 'started', keyName: 'ci starter', keyPrefix: starter.prefix, at: snapshot.session.createdAt },
      {
        action: 'cancelled',
        keyName: 'ci canceller',
        keyPrefix: canceller.prefix,
        at: snapshot.session.endedAt,
      },
    ]);
    // Never a secret: only the shown prefix (bc_…) of either key.
    const text = JSON.stringify(snapshot) + JSON.stringify(await auditRows(sessionId));
    for (const { key, prefix } of [starter, canceller]) {
      expect(text).toContain(prefix);
      expect(text).not.toContain(key.slice(prefix.length + 1));
    }
  });

  it('running on a live worker: the cancel is recorded when accepted, the admin key by its name', async () => {
    workers.push(await createWorker(stack.config, ['error']));
    const canceller = await writerKey('release bot');
    const sessionId = await runningBuild();
    await expect(
      request(`${builds}/${sessionId}/cancel`, { method: 'POST', key: canceller.key }),
    ).resolves.toMatchObject({ status: 202, body: { status: 'cancelling' } });
    // Recorded before the worker was asked: there before the build shows cancelled.
    await expect(auditRows(sessionId)).resolves.toEqual([
      { action: 'started', key_name: 'BUILDCAST_ADMIN_KEY', key_prefix: null },
      { action: 'cancelled', key_name: 'release bot', key_prefix: canceller.prefix },
    ]);
    const snapshot = await snapshotOnce(builds, sessionId);
    expect(snapshot.session.status).toBe('cancelled');
    expect(snapshot.session.audit).toEqual([
      { action: 'started', keyName: 'BUILDCAST_ADMIN_KEY', keyPrefix: null, at: snapshot.session.createdAt },
      { action: 'cancelled', keyName: 'release bot', keyPrefix: canceller.prefix, at: expect.any(String) },
    ]);
  });

  it('running on a dead worker whose lease ran out, no worker up: ends cancelled at once', async () => {
    const worker = await childWorker(3000);
    const sessionId = await runningBuild();
    await killWorkerProcess(worker);
    await leaseRunOut(sessionId);
    await expect(cancel(sessionId)).resolves.toEqual({
      status: 202,
      body: { sessionId, status: 'cancelled' },
    });
    await expectCancelled(sessionId, /stopped responding/);
  });

  it('running on a frozen worker: cancelling, then a sweeper ends it cancelled once its lease runs out', async () => {
    const frozen = await childWorker(9000); // a 6 s lease: still held when cancel comes
    const sessionId = await runningBuild();
    frozen.kill('SIGSTOP');
    const answer = await cancel(sessionId);
    expect(answer.status).toBe(202);
    expect(['cancelling', 'cancelled']).toContain(answer.body.status); // 'cancelled' if the machine was slow
    workers.push(await createWorker(loadConfig(stack.childEnv({ INTERRUPT_AFTER_MS: '9000' })), ['error']));
    await expectCancelled(sessionId, /^Cancelled by request; its runner-worker had stopped responding/);
  });

  it('running while its worker cannot reach Postgres: ends cancelled once the worker gave it up', async () => {
    const proxy = await startTcpProxy(Number(new URL(stack.config.databaseUrl).port || 5432));
    proxies.push(proxy);
    const viaProxy = new URL(stack.config.databaseUrl);
    viaProxy.port = String(proxy.port);
    await childWorker(3000, viaProxy.toString());
    const sessionId = await runningBuild();
    await proxy.cut(); // the worker alone loses Postgres; the API keeps it
    await leaseRunOut(sessionId);
    await expect(cancel(sessionId)).resolves.toEqual({
      status: 202,
      body: { sessionId, status: 'cancelled' },
    });
    await expectCancelled(sessionId, /stopped responding/);
  });
});
