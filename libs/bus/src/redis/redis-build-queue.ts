import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { BUILDS_QUEUE, LIVE_BUILDS_QUEUE, type BuildJob, type BuildLane } from '#contracts';
import { BuildQueue } from '../build-queue.js';
import { withTimeout } from './redis-unavailable.js';

/** How long the API waits for the queue to take a job before it leaves it to the sweeper. */
export const ENQUEUE_TIMEOUT_MS = 2000;

/**
 * BullMQ jobs keyed by session id: one job per build, however often it is added; live agents
 * in a queue of their own (see BuildLane).
 */
@Injectable()
export class RedisBuildQueue extends BuildQueue {
  private readonly logger = new Logger(RedisBuildQueue.name);
  private readonly queues: Record<BuildLane, Queue<BuildJob>>;

  constructor(
    @InjectQueue(BUILDS_QUEUE) replays: Queue<BuildJob>,
    @InjectQueue(LIVE_BUILDS_QUEUE) live: Queue<BuildJob>,
  ) {
    super();
    this.queues = { replay: replays, live };
    for (const queue of [replays, live]) {
      // Without a listener BullMQ prints every failed reconnect; the health check reports Redis.
      queue.on('error', (error) => this.logger.debug(`Queue connection: ${error.message}`));
    }
  }

  async enqueue(job: BuildJob, lane: BuildLane): Promise<void> {
    try {
      await withTimeout(
        this.queues[lane].add('build', job, { jobId: job.sessionId }),
        ENQUEUE_TIMEOUT_MS,
        'enqueue',
      );
    } catch (error) {
      // The runner-workers' queued-session sweeper adds it when Redis is back.
      this.logger.warn(
        `Build ${job.sessionId} stays queued until the queue is reachable: ${(error as Error).message}`,
      );
    }
  }

  async remove(sessionId: string): Promise<void> {
    try {
      for (const queue of Object.values(this.queues)) await (await queue.getJob(sessionId))?.remove();
    } catch (failure) {
      // Locked by a worker that just took it (it sees the session finished), or Redis is down.
      this.logger.debug(`Job ${sessionId} not removed: ${(failure as Error).message}`);
    }
  }
}
