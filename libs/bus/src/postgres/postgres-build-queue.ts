import { Injectable, Logger } from '@nestjs/common';
import type { BuildJob } from '#contracts';
import { BuildQueue } from '../build-queue.js';
import { ChannelPublisher } from '../channels/channel-publisher.js';

/** Runner-workers on the Postgres transport wake up on this channel to claim queued builds. */
export const BUILDS_CHANNEL = 'buildcast:control:builds';

/**
 * The queued session row is the job: a worker claims it with FOR UPDATE SKIP LOCKED
 * (SessionLeases.claimQueued). This only wakes the workers; one that misses the NOTIFY finds
 * the build on its next look.
 */
@Injectable()
export class PostgresBuildQueue extends BuildQueue {
  private readonly logger = new Logger(PostgresBuildQueue.name);

  constructor(private readonly publisher: ChannelPublisher) {
    super();
  }

  async enqueue(job: BuildJob): Promise<void> {
    try {
      await this.publisher.publish([{ channel: BUILDS_CHANNEL, message: { sessionId: job.sessionId } }]);
    } catch (error) {
      this.logger.warn(`Build ${job.sessionId} waits for a worker's next look: ${(error as Error).message}`);
    }
  }

  /** A finished session is never claimed: nothing to remove. */
  async remove(): Promise<void> {}
}
