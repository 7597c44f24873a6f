import type { BuildsProcessor, LiveBuildsProcessor } from './builds.processor.js';
import type { PostgresBuildsConsumer } from './postgres-builds-consumer.js';
import type { RunningBuilds } from './running-builds.js';
import type { WorkerLeases } from './worker-leases.js';
import { WorkerShutdown } from './worker-shutdown.js';

/** The shutdown's collaborators, each call written to `steps` in order. */
function collaborators(left: string[], idleAfterRelease = true) {
  const steps: string[] = [];
  const running = {
    stopAll: (reason: string) => (steps.push(`stopAll ${reason}`), Promise.resolve(left)),
    whenIdle: () => (steps.push('whenIdle'), Promise.resolve(idleAfterRelease)),
    ids: () => left,
  } as unknown as RunningBuilds;
  const leases = {
    release: (sessionId: string) => (steps.push(`release ${sessionId}`), Promise.resolve()),
  } as unknown as WorkerLeases;
  const processor = (lane: string) =>
    ({ stopTakingJobs: () => steps.push(`stop taking ${lane}`) }) as unknown as BuildsProcessor;
  const consumer = {
    stopClaiming: () => (steps.push('stop claiming'), Promise.resolve()),
  } as unknown as PostgresBuildsConsumer;
  return { steps, running, leases, processor, consumer };
}

describe('WorkerShutdown', () => {
  it('on Redis: stops both queue workers taking jobs, then stops the builds', async () => {
    const { steps, running, leases, processor } = collaborators([]);
    const live = processor('live') as unknown as LiveBuildsProcessor;
    await new WorkerShutdown(running, leases, processor('replay'), live).beforeApplicationShutdown();
    expect(steps).toEqual(['stop taking replay', 'stop taking live', 'stopAll shutdown']);
  });

  it('on Postgres: stops claiming before it stops the builds', async () => {
    const { steps, running, leases, consumer } = collaborators([]);
    await new WorkerShutdown(running, leases, undefined, undefined, consumer).beforeApplicationShutdown();
    expect(steps).toEqual(['stop claiming', 'stopAll shutdown']);
  });

  it('gives up the leases of builds that outlast the grace, then waits for them to return', async () => {
    const { steps, running, leases, consumer } = collaborators(['a', 'b']);
    await new WorkerShutdown(running, leases, undefined, undefined, consumer).beforeApplicationShutdown();
    expect(steps).toEqual(['stop claiming', 'stopAll shutdown', 'release a', 'release b', 'whenIdle']);
  });

  it('returns even when a build never does', async () => {
    const { steps, running, leases, consumer } = collaborators(['stuck'], false);
    await new WorkerShutdown(running, leases, undefined, undefined, consumer).beforeApplicationShutdown();
    expect(steps.at(-1)).toBe('whenIdle');
  });
});
