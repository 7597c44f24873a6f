import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { INestApplicationContext } from '@nestjs/common';
import { loadConfig } from '#config';
import type { EventsPage, Snapshot } from '#contracts';
import { SessionLeases } from '#persistence';
import { createWorker } from '../../apps/runner-worker/src/create-worker.js';
import { eventually, FAKE_AGENT, fakeAgentPids, killAll, pollUntilFinished } from '../support/builds.js';
import { snapshotOnce } from '../support/outage.js';
import { request, startStack, type TestStack } from '../support/stack.js';
import { TRANSPORTS } from '../support/transports.js';
import { killWorkerProcess, startWorkerProcess } from '../support/worker-process.js';

/** The recovery bound under test (the default is 30 s). */
const INTERRUPT_AFTER_MS = 3000;
const SLOW_BUILD = 'fake:play=claude-stream-json_taskcreate-taskupdate.jsonl,delay=300';

describe.each(TRANSPORTS)('a runner-worker killed with SIGKILL mid-build, over %s', (transport) => {
  let stack: TestStack;
  let workRoot: string;
  let env: Record<string, string>;
  let builds: string;
  const children: ChildProcess[] = [];
  const survivors: INestApplicationContext[] = [];
  const leftovers: number[] = [];

  beforeAll(async () => {
    workRoot = await mkdtemp(path.join(os.tmpdir(), 'buildcast-crash-'));
    // The API checks the agent too: it gets the same LIVE_AGENTS and CLAUDE_BIN.
    stack = await startStack({
      transport,
      workers: 0,
      env: { LIVE_AGENTS: 'claude-code', CLAUDE_BIN: FAKE_AGENT },
    });
    env = stack.childEnv({
      LIVE_AGENTS: 'claude-code',
      DATABASE_POOL_SIZE: '3',
      INTERRUPT_AFTER_MS: String(INTERRUPT_AFTER_MS),
      CLAUDE_BIN: FAKE_AGENT,
      AGENT_WORK_ROOT: workRoot,
    });
    const project = await request(`${stack.apiUrl}/projects`, { body: { name: 'crash' } });
    builds = `${stack.apiUrl}/projects/${project.body.id}/builds`;
  });
  afterAll(async () => {
    for (const child of children) await killWorkerProcess(child);
    for (const worker of survivors) await worker.close();
    killAll(leftovers); // the agents of killed workers (their stdout is gone: they die on the next write)
    await stack?.close();
    await rm(workRoot, { recursive: true, force: true });
  });

  /** Starts a slow live build on a worker in a child process and waits until it runs there. */
  async function buildOnDoomedWorker(): Promise<{
    sessionId: string;
    projectId: string;
    worker: ChildProcess;
  }> {
    const worker = await startWorkerProcess(env);
    children.push(worker);
    const started = await request(builds, { body: { agent: 'claude-code', prompt: SLOW_BUILD } });
    expect(started.status).toBe(202);
    const { sessionId, projectId } = started.body;
    const first = await request<EventsPage>(`${builds}/${sessionId}/events?after=0&waitMs=20000`);
    expect(first.body.events[0]?.type).toBe('session.started');
    leftovers.push(...(await fakeAgentPids(workRoot, sessionId)));
    return { sessionId, projectId, worker };
  }

  const workerConfig = () => loadConfig(env);

  it('is finished interrupted, with a reason, within the bound by a surviving worker', async () => {
    const { sessionId, projectId, worker } = await buildOnDoomedWorker();
    survivors.push(await createWorker(workerConfig(), ['error']));

    await killWorkerProcess(worker);
    const killedAt = Date.now();
    const events = await pollUntilFinished(stack.apiUrl, projectId, sessionId);
    const elapsed = Date.now() - killedAt;

    const last = events.at(-1)!;
    expect(last.type).toBe('session.finished');
    expect(last.data).toEqual({
      status: 'interrupted',
      error: expect.stringMatching(/^The runner-worker running this build stopped responding \(.+\)$/),
    });
    expect(events.map((event) => event.seq)).toEqual(events.map((_, index) => index + 1));
    // The bound is the requirement; the margin covers two loaded cores.
    expect(elapsed).toBeLessThan(INTERRUPT_AFTER_MS * 2);
    console.log(`interrupted ${elapsed} ms after SIGKILL (bound ${INTERRUPT_AFTER_MS} ms)`);
  });

  it('is finished by the next worker to start when none was up', async () => {
    for (const worker of survivors.splice(0)) await worker.close();
    const { sessionId, worker } = await buildOnDoomedWorker();
    await killWorkerProcess(worker);
    // Past its lease, as Postgres' clock says (a renewal in flight at the kill may land after it).
    const leases = stack.api.get(SessionLeases);
    await eventually(
      async () => ((await leases.expired()).some((session) => session.id === sessionId) ? true : undefined),
      'its lease to run out',
    );

    survivors.push(await createWorker(workerConfig(), ['error'])); // sweeps before it returns
    const snapshot = await request<Snapshot>(`${builds}/${sessionId}`);
    expect(snapshot.body.session.status).toBe('interrupted');
    expect(snapshot.body.session.error).toMatch(/stopped responding/);
  });

  it('killed after it started the agent, before any event: interrupted, and the agent never started again', async () => {
    for (const worker of survivors.splice(0)) await worker.close();
    const worker = await startWorkerProcess(env);
    children.push(worker);
    const started = await request(builds, { body: { agent: 'claude-code', prompt: 'fake:hang=1' } });
    const { sessionId } = started.body;
    const pids = await fakeAgentPids(workRoot, sessionId); // claimed and running, silent so far
    leftovers.push(...pids);
    expect((await request<Snapshot>(`${builds}/${sessionId}`)).body.session.status).toBe('queued');
    await killWorkerProcess(worker);

    // A survivor that sweeps every 5 s (its own INTERRUPT_AFTER_MS), after its first looks for
    // queued builds (Postgres: every 2 s): the session it finds queued was claimed before, and
    // its agent started, so it is the sweeper's to end, not a build to run again.
    survivors.push(await createWorker(loadConfig({ ...env, INTERRUPT_AFTER_MS: '30000' }), ['error']));
    const snapshot = await snapshotOnce(builds, sessionId);
    expect(snapshot.session.status).toBe('interrupted');
    expect(snapshot.session.error).toMatch(/stopped responding/);
    expect(await fakeAgentPids(workRoot, sessionId)).toEqual(pids); // pids.json of the first agent only
  });
});
