import type { CancelRequests } from '#bus';
import type { AppConfig } from '#config';
import { RunningBuilds } from './running-builds.js';

const cancelRequests = {
  listen: () => Promise.resolve(() => Promise.resolve()),
} as unknown as CancelRequests;
const config = { buildMaxMs: 3_600_000 } as AppConfig;

/** A build that runs until its signal aborts, then takes `endMs` more to end; it keeps the reason. */
function build(endMs = 0) {
  const seen: { reason?: unknown } = {};
  const work = (signal: AbortSignal) =>
    new Promise<void>((resolve) => {
      const end = () => {
        seen.reason = signal.reason;
        setTimeout(resolve, endMs);
      };
      if (signal.aborted) end();
      else signal.addEventListener('abort', end, { once: true });
    });
  return { work, seen };
}

describe('RunningBuilds', () => {
  it('stops every build for the reason and resolves once they all returned', async () => {
    const running = new RunningBuilds(cancelRequests, config);
    const [a, b] = [build(), build(5)];
    const done = [running.run('a', a.work), running.run('b', b.work)];
    expect(running.ids()).toEqual(['a', 'b']);

    await expect(running.stopAll('shutdown', 60_000)).resolves.toEqual([]);
    await Promise.all(done);
    expect([a.seen.reason, b.seen.reason]).toEqual(['shutdown', 'shutdown']);
    expect(running.size).toBe(0);
  });

  it('stops a build that starts after stopAll as it starts', async () => {
    const running = new RunningBuilds(cancelRequests, config);
    await running.stopAll('shutdown', 60_000);
    const late = build();
    await running.run('late', late.work);
    expect(late.seen.reason).toBe('shutdown');
  });

  it('names the builds still running after the grace, and whenIdle waits for them', async () => {
    const running = new RunningBuilds(cancelRequests, config);
    let release!: () => void;
    const stuck = running.run('stuck', () => new Promise<void>((resolve) => (release = resolve)));

    await expect(running.stopAll('shutdown', 20)).resolves.toEqual(['stuck']);
    const idle = running.whenIdle(60_000);
    release();
    await expect(idle).resolves.toBe(true);
    await stuck;
  });

  it('whenIdle answers at once when nothing runs, and false when builds outlast it', async () => {
    const running = new RunningBuilds(cancelRequests, config);
    await expect(running.whenIdle(60_000)).resolves.toBe(true);
    let release!: () => void;
    const stuck = running.run('stuck', () => new Promise<void>((resolve) => (release = resolve)));
    await expect(running.whenIdle(10)).resolves.toBe(false);
    release();
    await stuck;
  });
});
