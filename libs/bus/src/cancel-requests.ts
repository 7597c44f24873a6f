import { Injectable, Logger } from '@nestjs/common';
import { RedisService } from './redis.service.js';
import { ChannelSubscriber } from './channel-subscriber.js';
import { RedisUnavailableError } from './redis-unavailable.js';

/** Runner-workers listen here for cancel requests of the builds they run. */
export const CANCEL_CHANNEL = 'buildcast:control:cancel';
const requestKey = (sessionId: string) => `buildcast:cancel:${sessionId}`;
const REQUEST_TTL_SECONDS = 24 * 3600;

/**
 * A cancel request is both remembered (a key, for a worker that picks the job up just
 * after the request) and announced (a message, for the worker already running it).
 */
@Injectable()
export class CancelRequests {
  private readonly logger = new Logger(CancelRequests.name);

  constructor(
    private readonly redis: RedisService,
    private readonly subscriber: ChannelSubscriber,
  ) {}

  /** Fails fast (RedisUnavailableError) while Redis is away: the caller answers 503. */
  async request(sessionId: string): Promise<void> {
    try {
      const results = await this.redis.client
        .multi()
        .set(requestKey(sessionId), '1', 'EX', REQUEST_TTL_SECONDS)
        .publish(CANCEL_CHANNEL, JSON.stringify({ sessionId }))
        .exec();
      const failure = results?.find(([error]) => error !== null)?.[0];
      if (failure) throw failure;
    } catch (error) {
      throw new RedisUnavailableError('cancel request', error);
    }
  }

  /**
   * False when Redis cannot say: a build is not held back (or failed) because the doorbell is
   * down; a cancel that comes while it runs still reaches it through the channel.
   */
  async isRequested(sessionId: string): Promise<boolean> {
    try {
      return (await this.redis.client.exists(requestKey(sessionId))) === 1;
    } catch (error) {
      this.logger.warn(`Could not check for a cancel request of ${sessionId}: ${(error as Error).message}`);
      return false;
    }
  }

  /** Calls `listener` with the session id of every cancel request; returns the unsubscribe. */
  listen(listener: (sessionId: string) => void): Promise<() => Promise<void>> {
    return this.subscriber.subscribe(CANCEL_CHANNEL, (message) => {
      const sessionId = (message as { sessionId?: unknown }).sessionId;
      if (typeof sessionId === 'string') listener(sessionId);
    });
  }
}
