import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '#config';
import { CancelRequests } from '#bus';

/**
 * Why a build is stopped; `lease-lost`: the session was already ended as interrupted
 * elsewhere; `time-limit`: it ran for BUILD_MAX_MS.
 */
export type StopReason = 'cancelled' | 'shutdown' | 'lease-lost' | 'time-limit';

/** Waits before the 1st, 2nd, … new try to listen for cancel requests; the last one repeats. */
const LISTEN_RETRY_MS = [1_000, 2_000, 5_000];
/** setTimeout fires at once beyond this (about 24.8 days), which would stop every build. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The builds this process is running, so a cancel request, a shutdown (WorkerShutdown) or the
 * time limit (BUILD_MAX_MS, so that a slow replay or a hung agent cannot hold a worker slot
 * for ever) can stop them.
 */
@Injectable()
export class RunningBuilds implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RunningBuilds.name);
  private readonly builds = new Map<string, AbortController>();
  /** Told when the last build returns (whenIdle). */
  private readonly idleWaiters = new Set<() => void>();
  private stopListening: (() => Promise<void>) | undefined;
  /** Aborted by stopAll: with its reason, every build from then on is stopped as it starts. */
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
        const stopListening = await this.cancelRequests.listen(
          (sessionId) => this.stop(sessionId, 'cancelled'),
          () => this.ids(),
        );
        if (this.stopping.signal.aborted) {
          await stopListening(); // subscribed while the shutdown began: nothing left to cancel
          return;
        }
        this.stopListening = stopListening;
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
    // Claimed as the shutdown began (its job was taken just before the intake stopped): it is
    // stopped at once, and ends like the others.
    if (this.stopping.signal.aborted) controller.abort(this.stopping.signal.reason);
    this.builds.set(sessionId, controller);
    const limit = setTimeout(
      () => this.stop(sessionId, 'time-limit'),
      Math.min(this.config.buildMaxMs, MAX_TIMER_MS),
    ).unref();
    try {
      return await work(controller.signal);
    } finally {
      clearTimeout(limit);
      this.builds.delete(sessionId);
      if (this.builds.size === 0) for (const wake of this.idleWaiters) wake();
    }
  }

  stop(sessionId: string, reason: StopReason): void {
    this.builds.get(sessionId)?.abort(reason);
  }

  /**
   * Stops every build for `reason`, and every build that starts from now on as it starts;
   * resolves with the ids of those still running after `graceMs`.
   */
  async stopAll(reason: StopReason, graceMs: number): Promise<string[]> {
    this.stopping.abort(reason);
    if (this.builds.size > 0) this.logger.log(`Stopping ${this.builds.size} running build(s)`);
    for (const sessionId of this.builds.keys()) this.stop(sessionId, reason);
    const [idle] = await Promise.all([this.whenIdle(graceMs), this.unlisten()]);
    return idle ? [] : this.ids();
  }

  /** Resolves true once no build runs (at once when none does), false after `timeoutMs`. */
  async whenIdle(timeoutMs: number): Promise<boolean> {
    if (this.builds.size === 0) return true;
    let wake!: () => void;
    let timer: NodeJS.Timeout | undefined;
    const idle = new Promise<boolean>((resolve) => {
      wake = () => resolve(true);
      this.idleWaiters.add(wake);
      timer = setTimeout(resolve, timeoutMs, false);
    });
    try {
      return await idle;
    } finally {
      clearTimeout(timer);
      this.idleWaiters.delete(wake);
    }
  }

  get size(): number {
    return this.builds.size;
  }

  ids(): string[] {
    return [...this.builds.keys()];
  }

  /** Also when no shutdown stopped the builds first (an app that failed to start). */
  async onApplicationShutdown(): Promise<void> {
    this.stopping.abort('shutdown');
    await this.unlisten();
  }

  /** No more cancel requests: every build is being stopped. */
  private async unlisten(): Promise<void> {
    const stopListening = this.stopListening;
    this.stopListening = undefined;
    await stopListening?.();
  }
}
