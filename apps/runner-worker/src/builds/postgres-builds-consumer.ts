import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '#config';
import { BUILDS_CHANNEL, ChannelSubscriber } from '#bus';
import type { BuildLane } from '#contracts';
import { BuildRunner } from './build-runner.js';
import { WorkerLeases } from './worker-leases.js';

/** A look for queued builds this often too, in case a NOTIFY was missed (at most once). */
const LOOK_EVERY_MS = 2000;

/**
 * The runner-worker's side of the Postgres build queue: it claims queued sessions (with
 * their leases, FOR UPDATE SKIP LOCKED) while it has free slots in their lane
 * (WORKER_CONCURRENCY live agents, REPLAY_CONCURRENCY replays and demos), and runs them. It looks when a build is announced on BUILDS_CHANNEL, when a build of its own
 * ends, after the LISTEN connection came back, and every LOOK_EVERY_MS.
 */
@Injectable()
export class PostgresBuildsConsumer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(PostgresBuildsConsumer.name);
  private readonly builds: Record<BuildLane, Set<Promise<void>>> = { live: new Set(), replay: new Set() };
  private looking: Promise<void> | undefined;
  private lookAgain = false;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private leave: (() => Promise<void>) | undefined;
  private stopReconnectListener: (() => void) | undefined;

  constructor(
    private readonly config: AppConfig,
    private readonly leases: WorkerLeases,
    private readonly runner: BuildRunner,
    private readonly subscriber: ChannelSubscriber,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.leave = await this.subscriber.subscribe(BUILDS_CHANNEL, () => this.look());
    this.stopReconnectListener = this.subscriber.onReconnect(() => this.look());
    this.timer = setInterval(() => this.look(), LOOK_EVERY_MS).unref();
    this.look();
  }

  /** The first step of the shutdown (WorkerShutdown): no new builds from now on. */
  async stopClaiming(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    this.stopReconnectListener?.();
    const leave = this.leave;
    this.leave = undefined;
    await leave?.();
    await this.looking;
  }

  /** After the shutdown stopped them: its builds have returned, or return now (claimed as it began). */
  async onApplicationShutdown(): Promise<void> {
    await this.stopClaiming(); // a no-op after WorkerShutdown's
    await Promise.all([...this.builds.live, ...this.builds.replay]);
  }

  /** One look at a time; a wake-up during a look makes one more look after it. */
  private look(): void {
    if (this.stopped) return;
    if (this.looking) {
      this.lookAgain = true;
      return;
    }
    this.looking = this.claimAndRun()
      .catch((error: Error) => this.logger.warn(`Looking for queued builds failed: ${error.message}`))
      .finally(() => {
        this.looking = undefined;
        if (this.lookAgain) {
          this.lookAgain = false;
          this.look();
        }
      });
  }

  private async claimAndRun(): Promise<void> {
    const free: Record<BuildLane, number> = {
      live: this.config.workerConcurrency - this.builds.live.size,
      replay: this.config.replayConcurrency - this.builds.replay.size,
    };
    if (free.live <= 0 && free.replay <= 0) return;
    const jobs = await this.leases.claimQueued(free);
    for (const { lane, ...job } of jobs) {
      const build: Promise<void> = this.runner
        .run(job, true)
        .catch((error: Error) => this.logger.error(`Build ${job.sessionId} failed: ${error.message}`))
        .finally(() => {
          // Also when the runner dropped it before running (its session ended meanwhile).
          this.leases.forget(job.sessionId);
          this.builds[lane].delete(build);
          this.look();
        });
      this.builds[lane].add(build);
    }
    // A lane that took all it could may have more waiting.
    const taken = (lane: BuildLane) => jobs.filter((job) => job.lane === lane).length;
    if (
      (free.live > 0 && taken('live') === free.live) ||
      (free.replay > 0 && taken('replay') === free.replay)
    ) {
      this.lookAgain = true;
    }
  }
}
