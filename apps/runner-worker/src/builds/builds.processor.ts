import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { UnrecoverableError, type Job } from 'bullmq';
import { AppConfig } from '#config';
import { BUILDS_QUEUE, LIVE_BUILDS_QUEUE } from '#contracts';
import { RedisService } from '#bus';
import { BuildRunner, InvalidJobError } from './build-runner.js';

/**
 * Consumes one BullMQ build queue; how many of its builds run at once is its lane's limit.
 * One queue per lane, so that the live agents' few slots never make replays wait.
 * (Injectable: so that its constructor's types are known to the subclasses' injection.)
 */
@Injectable()
abstract class BuildJobsProcessor extends WorkerHost implements OnApplicationBootstrap {
  protected readonly logger = new Logger(this.constructor.name);
  constructor(
    private readonly runner: BuildRunner,
    protected readonly config: AppConfig,
    private readonly redis: RedisService,
  ) {
    super();
  }

  /** Builds of this queue one runner-worker runs at once. */
  protected abstract concurrency(): number;

  /**
   * The first step of the shutdown (WorkerShutdown): BullMQ's close stops fetching jobs at once,
   * then waits for the running ones, which the shutdown stops next; @nestjs/bullmq awaits the
   * same close at the end. That close waits for Redis, for ever while it is away, and so would
   * the shutdown: without Redis the worker is closed at once instead (its builds still end).
   */
  stopTakingJobs(): void {
    this.worker
      .close(!this.redis.isReady)
      .catch((error: Error) => this.logger.warn(`Closing the queue worker failed: ${error.message}`));
  }

  onApplicationBootstrap(): void {
    this.worker.concurrency = this.concurrency();
    // Without a listener an 'error' (Redis away, a lock it could not renew) is thrown as
    // unhandled; BullMQ reconnects by itself, so a warning (not repeated) is all it needs.
    let last = '';
    this.worker.on('error', (error) => {
      if (error.message !== last) this.logger.warn(`Queue worker: ${error.message}`);
      last = error.message;
    });
  }

  async process(job: Job): Promise<void> {
    try {
      await this.runner.run(job.data);
    } catch (error) {
      if (error instanceof InvalidJobError) throw new UnrecoverableError(error.message);
      // Before its session could be recorded (e.g. Postgres unreachable): BullMQ keeps the failure.
      this.logger.error(`Build job ${job.id} failed: ${(error as Error).message}`);
      throw error;
    }
  }
}

/** Replays and demos: REPLAY_CONCURRENCY at once. */
@Processor(BUILDS_QUEUE)
export class BuildsProcessor extends BuildJobsProcessor {
  protected concurrency(): number {
    return this.config.replayConcurrency;
  }
}

/** Live agents (processes): WORKER_CONCURRENCY at once. */
@Processor(LIVE_BUILDS_QUEUE)
export class LiveBuildsProcessor extends BuildJobsProcessor {
  protected concurrency(): number {
    return this.config.workerConcurrency;
  }
}
