import { Injectable, Logger, Optional, type BeforeApplicationShutdown } from '@nestjs/common';
import { BuildsProcessor, LiveBuildsProcessor } from './builds.processor.js';
import { PostgresBuildsConsumer } from './postgres-builds-consumer.js';
import { RunningBuilds } from './running-builds.js';
import { WorkerLeases } from './worker-leases.js';

/**
 * What stopped builds get to record their end (more than a live agent's default
 * CANCEL_GRACE_MS), and then those left get to return once their leases are given up.
 */
export const SHUTDOWN_GRACE_MS = 10_000;

/**
 * How a runner-worker stops (SIGTERM, app.close()), in this order, before any connection
 * closes: (1) it takes no new build (the BullMQ workers stop fetching, the Postgres consumer
 * stops claiming); (2) every running build is stopped and ends `interrupted`, its last append
 * committed (a build whose job was taken just before is stopped as it starts); (3) a build
 * that could not write its end within the grace (Postgres away) gives its lease up, so it stops
 * retrying and a sweeper ends it as soon as Postgres answers; the worker waits for it to return.
 * Then Nest's shutdown hooks stop the timers (leases, sweeps) and close BullMQ, Redis and
 * Postgres. A build that does not return even then (a Postgres hung mid-query) is waited for
 * by BullMQ's close and the Postgres consumer's, as the pool's close would wait for its query.
 *
 * One provider holds the order of the steps before the connections close; Nest runs every
 * onApplicationShutdown hook (timers, BullMQ, Redis, Postgres) after it.
 */
@Injectable()
export class WorkerShutdown implements BeforeApplicationShutdown {
  private readonly logger = new Logger(WorkerShutdown.name);

  constructor(
    private readonly running: RunningBuilds,
    private readonly leases: WorkerLeases,
    // One transport's intake is provided: BullMQ's processors, or the Postgres consumer.
    @Optional() private readonly replays?: BuildsProcessor,
    @Optional() private readonly liveAgents?: LiveBuildsProcessor,
    @Optional() private readonly postgres?: PostgresBuildsConsumer,
  ) {}

  async beforeApplicationShutdown(): Promise<void> {
    this.replays?.stopTakingJobs();
    this.liveAgents?.stopTakingJobs();
    await this.postgres?.stopClaiming();

    const left = await this.running.stopAll('shutdown', SHUTDOWN_GRACE_MS);
    if (left.length === 0) return;
    this.logger.warn(
      `${left.length} build(s) could not record their end in time; their leases are given up for a sweeper`,
    );
    await Promise.all(left.map((sessionId) => this.leases.release(sessionId)));
    // Without its lease a build stops retrying at its next failed append.
    if (!(await this.running.whenIdle(SHUTDOWN_GRACE_MS))) {
      this.logger.error(`Build(s) still running as the worker closes: ${this.running.ids().join(', ')}`);
    }
  }
}
