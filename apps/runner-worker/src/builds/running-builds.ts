import { setTimeout as sleep } from 'node:timers/promises';
import {
  Injectable,
  Logger,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { AppConfig } from '#config';
import { CancelRequests } from '#bus';

/**
 * Why a build is stopped; `lease-lost`: the session was already ended as interrupted
 * elsewhere; `time-limit`: it ran for BUILD_MAX_MS.
 */
export type StopReason = 'cancelled' | 'shutdown' | 'lease-lost' | 'time-limit';

const SHUTDOWN_GRACE_MS = 10_000;
/** Waits before the 1st, 2nd, … new try to listen for cancel requests; the last one repeats. */
const LISTEN_RETRY_MS = [1_000, 2_000, 5_000];
/** setTimeout fires at once beyond this (about 24.8 days), which would stop every build. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The builds this process is running, so a cancel request, a shutdown or the time limit
 * (BUILD_MAX_MS, so that a slow replay or a hung agent cannot hold a worker slot for ever)
 * can stop them.
 */
@Injectable()
export class RunningBuilds implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(RunningBuilds.name);
  private readonly builds = new Map<string, { controller: AbortController; done: Promise<unknown> }>();
  private stopListening: (() => Promise<void>) | undefined;
  private readonly stopping = new AbortController();

  constructor(
    private readonly cancelRequests: CancelRequests,
    private readonly config: AppConfig,
  ) {}

  /**
   * Listens for cancel requests without holding the start-up: while the transport is away
   * (Redis down at start), builds still run and a cancel gets 503, so this keeps trying.
   */
  onApplicationBootstrap(): void {
    void this.listenForCancels();
  }

  private async listenForCancels(): Promise<void> {
    for (let attempt = 0; !this.stopping.signal.aborted; attempt += 1) {
      try {
        this.stopListening = await this.cancelRequests.listen(
          (sessionId) => this.stop(sessionId, 'cancelled'),
          () => this.ids(),
        );
        if (attempt > 0) this.logger.log('Listening for cancel requests again');
        return;
      } catch (error) {
        if (attempt === 0) {
          this.logger.warn(`Cannot listen for cancel requests yet (${(error as Error).message}); retrying`);
        }
        const delay = LISTEN_RETRY_MS[Math.min(attempt, LISTEN_RETRY_MS.length - 1)];
        await sleep(delay, undefined, { signal: this.stopping.signal }).catch(() => undefined);
      }
    }
  }

  /** Runs `work` with a signal that aborts on cancel or shutdown; the reason is `signal.reason`. */
  async run<T>(sessionId: string, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const controller = new AbortController();
    const done = work(controller.signal);
    this.builds.set(sessionId, { controller, done: done.catch(() => undefined) });
    const limit = setTimeout(
      () => this.stop(sessionId, 'time-limit'),
      Math.min(this.config.buildMaxMs, MAX_TIMER_MS),
    ).unref();
    try {
      return await done;
    } finally {
      clearTimeout(limit);
      this.builds.delete(sessionId);
    }
  }

  stop(sessionId: string, reason: StopReason): void {
    this.builds.get(sessionId)?.controller.abort(reason);
  }

  get size(): number {
    return this.builds.size;
  }

  ids(): string[] {
    return [...this.builds.keys()];
  }

  /** On SIGTERM every running build is ended (as interrupted) before the process exits. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopping.abort();
    await this.stopListening?.();
    if (this.builds.size === 0) return;
    this.logger.log(`Stopping ${this.builds.size} running build(s)`);
    const settled = Promise.all([...this.builds.values()].map((build) => build.done));
    for (const sessionId of this.builds.keys()) this.stop(sessionId, 'shutdown');
    await Promise.race([settled, new Promise((resolve) => setTimeout(resolve, SHUTDOWN_GRACE_MS).unref())]);
  }
}
