import { createWorker } from '../../apps/runner-worker/src/create-worker.js';
import { request, startStack, type TestStack } from '../support/stack.js';
import { startOwnPostgres, type OwnPostgres } from '../support/own-services.js';
import { finishedLog, seqReached, slowTranscript, snapshotOnce, startReplay } from '../support/outage.js';

/** As in the fault suite; longer than the old append retries (200 + 1000 + 3000 ms). */
const OUTAGE_MS = 12_000;
const STEP_MS = 250;

/**
 * Postgres stopped (`pg_ctl stop -m immediate`) in the middle of builds, on a cluster of the
 * test's own: every build ends, with a well-formed log, and cancel works afterwards.
 */
describe('a Postgres outage mid-build', () => {
  let postgres: OwnPostgres;
  let stack: TestStack | undefined;

  beforeAll(async () => {
    postgres = await startOwnPostgres();
  });
  afterEach(async () => {
    await postgres.start().catch(() => undefined); // a failed test may have left it stopped
    await stack?.close();
    stack = undefined;
  });
  afterAll(async () => {
    await postgres?.close();
  });

  async function startProject(interruptAfterMs: number): Promise<string> {
    stack = await startStack({
      workers: 1,
      databaseAdminUrl: postgres.adminUrl,
      env: { INTERRUPT_AFTER_MS: String(interruptAfterMs) },
    });
    const project = await request(`${stack.apiUrl}/projects`, { body: { name: 'outage' } });
    expect(project.status).toBe(201);
    return `${stack.apiUrl}/projects/${project.body.id}/builds`;
  }

  /** Stops Postgres for OUTAGE_MS; `during` runs while it is down. */
  async function outage(during: () => Promise<void> = () => Promise.resolve()): Promise<void> {
    await postgres.stop();
    const until = Date.now() + OUTAGE_MS;
    await during();
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, until - Date.now())));
    await postgres.start();
  }

  it('shorter than the lease: the builds go on after it; one completes, one is cancelled', async () => {
    // A 40 s lease (renewed every 10 s) outlives the outage by a wide margin.
    const builds = await startProject(60_000);
    const transcript = slowTranscript(120); // about 30 s at STEP_MS
    const completing = await startReplay(builds, transcript, STEP_MS);
    const cancelled = await startReplay(builds, transcript, STEP_MS);
    await seqReached(builds, completing, 5);
    await seqReached(builds, cancelled, 5);

    const before = await seqReached(builds, completing, 1);
    await outage();
    const backAt = Date.now();
    await seqReached(builds, completing, before + 2);
    console.log(`writing again ${Date.now() - backAt} ms after Postgres was back`);
    const resumedFrom = await seqReached(builds, cancelled, 1);
    await seqReached(builds, cancelled, resumedFrom + 2); // it writes again
    const cancel = await request(`${builds}/${cancelled}/cancel`, { method: 'POST' });
    expect(cancel).toEqual({ status: 202, body: { sessionId: cancelled, status: 'cancelling' } });

    await expect(snapshotOnce(builds, cancelled)).resolves.toMatchObject({
      session: { status: 'cancelled', error: 'Cancelled by request' },
    });
    await expect(snapshotOnce(builds, completing)).resolves.toMatchObject({
      session: { status: 'completed' },
    });
    const completed = await finishedLog(stack!.apiUrl, builds, completing);
    expect(completed.filter((event) => event.type === 'message')).toHaveLength(120); // none lost
    await finishedLog(stack!.apiUrl, builds, cancelled);
  }, 120_000);

  it('longer than the lease: the build ends interrupted once Postgres is back; new builds run and cancel', async () => {
    // A 2 s lease: the worker gives the build up during the outage, the sweeper ends it.
    const builds = await startProject(3000);
    const stuck = await startReplay(builds, slowTranscript(120), STEP_MS);
    await seqReached(builds, stuck, 5);

    await outage(async () => {
      // REST answers 503 naming Postgres while it is away, never a 500.
      for (const url of [builds, `${builds}/${stuck}`, `${builds}/${stuck}/events?after=0`]) {
        const answer = await request(url);
        expect({ url, status: answer.status }).toEqual({ url, status: 503 });
        expect(answer.body.message).toMatch(/^Postgres is unavailable, try again shortly/);
      }
    });
    const backAt = Date.now();
    await expect(snapshotOnce(builds, stuck)).resolves.toMatchObject({
      session: { status: 'interrupted', error: expect.any(String) },
    });
    console.log(`interrupted ${Date.now() - backAt} ms after Postgres was back (lease 2 s)`);
    const events = await finishedLog(stack!.apiUrl, builds, stuck);
    expect(events.at(-1)!.data).toMatchObject({ status: 'interrupted' });
    const again = await request(`${builds}/${stuck}/cancel`, { method: 'POST' });
    expect(again.status).toBe(409);

    const next = await startReplay(builds, slowTranscript(120), STEP_MS);
    await seqReached(builds, next, 3);
    const cancel = await request(`${builds}/${next}/cancel`, { method: 'POST' });
    expect(cancel.status).toBe(202);
    await expect(snapshotOnce(builds, next)).resolves.toMatchObject({ session: { status: 'cancelled' } });
    await finishedLog(stack!.apiUrl, builds, next);
  }, 120_000);

  it('during a worker shutdown: the close returns, and the build it could not end is ended interrupted later', async () => {
    // A 40 s lease: the build would retry its last append far beyond the shutdown's grace.
    const builds = await startProject(60_000);
    const stopped = await startReplay(builds, slowTranscript(120), STEP_MS);
    await seqReached(builds, stopped, 3);
    const [worker] = stack!.workers.splice(0);

    await postgres.stop();
    await worker.close(); // the build cannot write its end: given up after the grace
    await postgres.start();

    // Its lease is gone (given up, or run out: the release could not reach Postgres either),
    // so the next worker's sweeper ends it.
    stack!.workers.push(await createWorker(stack!.config, ['error']));
    await expect(snapshotOnce(builds, stopped, undefined, 120_000)).resolves.toMatchObject({
      session: { status: 'interrupted', error: expect.stringMatching(/stopped responding/) },
    });
    await finishedLog(stack!.apiUrl, builds, stopped);
  }, 300_000);
});
