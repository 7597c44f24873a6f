import 'reflect-metadata';
import type { DataSource } from 'typeorm';
import { openTestPersistence, type TestPersistence } from '../support/database.js';
import { BuildReadModel, EventStore, LeaseHeldError, SessionClosedError, SessionLeases } from '#persistence';

describe('SessionLeases', () => {
  let persistence: TestPersistence;
  let dataSource: DataSource;
  let leases: SessionLeases;
  let store: EventStore;
  let readModel: BuildReadModel;

  beforeAll(async () => {
    persistence = await openTestPersistence(3);
    ({ dataSource, leases, store, readModel } = persistence);
  });
  afterAll(() => persistence?.close());

  async function queuedSession(): Promise<string> {
    const project = await readModel.createProject('leases');
    const session = await readModel.createQueuedSession({
      projectId: project.id,
      agent: 'demo',
      agentId: 'demo',
      model: null,
      prompt: null,
    });
    return session!.id;
  }
  /** Slots for replays (and demos) only. */
  const replays = (count: number) => ({ live: 0, replay: count });
  async function requestedBuild(projectId: string, agent: 'demo' | 'command' = 'demo'): Promise<string> {
    const session = await readModel.createQueuedSession({
      projectId,
      agent,
      agentId: agent,
      model: null,
      prompt: null,
      request: {},
    });
    return session!.id;
  }
  const finish = [
    { type: 'session.finished' as const, data: { status: 'interrupted' as const, error: 'gone' } },
  ];

  it('gives a queued session to one worker; a running one to nobody', async () => {
    const id = await queuedSession();
    await expect(leases.claim(id, 'a', 60_000)).resolves.toBe('claimed');
    await expect(leases.claim(id, 'b', 60_000)).resolves.toBe('held');
    await store.append(id, [
      { type: 'session.started', data: { agentId: 'demo', model: null, projectName: 'x' } },
    ]);
    await expect(leases.claim(id, 'a', 60_000)).resolves.toBe('held');
    await expect(leases.renew('a', 60_000, [id])).resolves.toEqual(new Set([id]));
    await expect(leases.renew('b', 60_000, [id])).resolves.toEqual(new Set());
    await expect(leases.renew('a', 60_000, [])).resolves.toEqual(new Set());
  });

  it('claims queued builds for the Postgres queue: oldest first, each once, none held or without a request', async () => {
    const project = await readModel.createProject('claim queued');
    const builds: string[] = [];
    for (let i = 0; i < 6; i++) builds.push(await requestedBuild(project.id));
    const written = await queuedSession();
    await dataSource.query('DELETE FROM build_requests WHERE session_id = $1', [written]); // not a build to run
    await expect(leases.claim(builds[0], 'other', 60_000)).resolves.toBe('claimed');
    await store.append(builds[1], finish); // cancelled while queued

    const oneAtATime = await leases.claimQueued('a', 60_000, replays(1));
    expect(oneAtATime).toEqual([{ sessionId: builds[2], projectId: project.id, lane: 'replay' }]);
    // Two workers at once (own connections): SKIP LOCKED gives them different sessions.
    const [a, b] = await Promise.all([
      leases.claimQueued('a', 60_000, replays(2)),
      leases.claimQueued('b', 60_000, replays(2)),
    ]);
    const claimed = [...a, ...b].map((build) => build.sessionId).sort();
    expect(claimed).toEqual([builds[3], builds[4], builds[5]].sort());
    await expect(leases.claimQueued('c', 60_000, replays(10))).resolves.toEqual([]);
    await expect(leases.claim(written, 'writer', 60_000)).resolves.toBe('claimed');
  });

  it('claims each lane within its own limit: live agents never take a replay slot, nor replays a live one', async () => {
    const project = await readModel.createProject('lanes');
    const live = [await requestedBuild(project.id, 'command'), await requestedBuild(project.id, 'command')];
    const demos = [
      await requestedBuild(project.id),
      await requestedBuild(project.id),
      await requestedBuild(project.id),
    ];
    const lanes = (jobs: { sessionId: string; lane: string }[]) =>
      jobs.map((job) => [job.sessionId, job.lane]);
    expect(lanes(await leases.claimQueued('l', 60_000, { live: 1, replay: 0 }))).toEqual([[live[0], 'live']]);
    expect(lanes(await leases.claimQueued('l', 60_000, { live: 0, replay: 2 }))).toEqual([
      [demos[0], 'replay'],
      [demos[1], 'replay'],
    ]);
    expect(lanes(await leases.claimQueued('l', 60_000, { live: 5, replay: 5 }))).toEqual([
      [live[1], 'live'],
      [demos[2], 'replay'],
    ]);
  });

  it('never gives a claimed session to another worker, even once its lease ran out: the sweeper ends it', async () => {
    // Its worker died after starting the agent, before the first event: still queued.
    const [abandoned, waiting] = [await queuedSession(), await queuedSession()];
    await expect(leases.claim(abandoned, 'i', 60_000)).resolves.toBe('claimed');
    await leases.renew('i', -1, [abandoned]);
    expect(await leases.expired()).toContainEqual({ id: abandoned, workerId: 'i', external: false });
    // Neither a redelivered BullMQ job (claim) nor the Postgres queue (claimQueued) takes it.
    await expect(leases.claim(abandoned, 'j', 60_000)).resolves.toBe('held');
    const taken = (await leases.claimQueued('j', 60_000, replays(100))).map((job) => job.sessionId);
    expect(taken).toContain(waiting);
    expect(taken).not.toContain(abandoned);
    await expect(leases.claimQueued('k', 60_000, replays(100))).resolves.toEqual([]); // SKIP LOCKED or claimed: once
    await expect(store.append(abandoned, finish, { onlyIfLeaseExpired: true })).resolves.toMatchObject({
      summary: { status: 'interrupted' },
    });
  });

  it('renews only the sessions named: one the worker no longer runs runs out', async () => {
    const [running, abandoned] = [await queuedSession(), await queuedSession()];
    await leases.claim(running, 'e', 60_000);
    await leases.claim(abandoned, 'e', 1);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await expect(leases.renew('e', 60_000, [running])).resolves.toEqual(new Set([running]));
    const expired = (await leases.expired()).map((session) => session.id);
    expect(expired).toContain(abandoned);
    expect(expired).not.toContain(running);
  });

  it('gives a lease up at once, and only its holder can', async () => {
    const id = await queuedSession();
    await leases.claim(id, 'f', 60_000);
    await leases.release(id, 'g');
    expect((await leases.expired()).map((session) => session.id)).not.toContain(id);
    await leases.release(id, 'f');
    expect(await leases.expired()).toContainEqual({ id, workerId: 'f', external: false });
    await expect(leases.renew('f', 60_000, [id])).resolves.toEqual(new Set([id])); // a slow holder may take it back
  });

  it('lets anyone end a session that no live worker holds: queued without a lease, or expired', async () => {
    const waiting = await queuedSession();
    const cancel = [
      { type: 'session.finished' as const, data: { status: 'cancelled' as const, error: 'by request' } },
    ];
    await expect(store.append(waiting, cancel, { onlyIfUnheld: true })).resolves.toMatchObject({
      summary: { status: 'cancelled' },
    });
    const held = await queuedSession();
    await leases.claim(held, 'h', 60_000);
    await expect(store.append(held, cancel, { onlyIfUnheld: true })).rejects.toBeInstanceOf(LeaseHeldError);
    await expect(store.append(held, finish, { onlyIfLeaseExpired: true })).rejects.toBeInstanceOf(
      LeaseHeldError,
    );
    await leases.release(held, 'h');
    await expect(store.append(held, cancel, { onlyIfUnheld: true })).resolves.toMatchObject({
      summary: { status: 'cancelled' },
    });
  });

  it('lets a sweeper finish a session only once its lease has run out, and only once', async () => {
    const id = await queuedSession();
    await leases.claim(id, 'c', 60_000);
    await expect(store.append(id, finish, { onlyIfLeaseExpired: true })).rejects.toBeInstanceOf(
      LeaseHeldError,
    );
    expect((await leases.expired()).map((session) => session.id)).not.toContain(id);

    await leases.renew('c', -1, [id]); // the worker's lease ran out
    expect(await leases.expired()).toContainEqual({ id, workerId: 'c', external: false });
    const sweeps = await Promise.allSettled([
      store.append(id, finish, { onlyIfLeaseExpired: true }),
      store.append(id, finish, { onlyIfLeaseExpired: true }),
    ]);
    expect(sweeps.filter((sweep) => sweep.status === 'fulfilled')).toHaveLength(1);
    expect(sweeps.find((sweep) => sweep.status === 'rejected')?.reason).toBeInstanceOf(SessionClosedError);
    await expect(leases.renew('c', 60_000, [id])).resolves.toEqual(new Set()); // the worker learns it lost it
    await expect(leases.claim(id, 'd', 60_000)).resolves.toBe('finished');
  });

  it('is not blocked for ever by a process frozen inside an append (idle in transaction)', async () => {
    const id = await queuedSession();
    const frozen = dataSource.createQueryRunner();
    await frozen.startTransaction();
    await frozen.query('SELECT 1 FROM build_sessions WHERE id = $1 FOR UPDATE', [id]); // then nothing
    const cancel = [
      { type: 'session.finished' as const, data: { status: 'cancelled' as const, error: 'by request' } },
    ];
    // Postgres ends the frozen session after IDLE_IN_TRANSACTION_TIMEOUT_MS, and its lock with it.
    await expect(store.append(id, cancel, { onlyIfUnheld: true })).resolves.toMatchObject({
      summary: { status: 'cancelled' },
    });
    await frozen.release().catch(() => undefined); // its connection is gone
  }, 60_000);
});
