import { Injectable } from '@nestjs/common';
import { RedisService } from './redis.service.js';
import { ChannelSubscriber } from './channel-subscriber.js';

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
  constructor(
    private readonly redis: RedisService,
    private readonly subscriber: ChannelSubscriber,
  ) {}

  async request(sessionId: string): Promise<void> {
    await this.redis.client
      .multi()
      .set(requestKey(sessionId), '1', 'EX', REQUEST_TTL_SECONDS)
      .publish(CANCEL_CHANNEL, JSON.stringify({ sessionId }))
      .exec();
  }

  async isRequested(sessionId: string): Promise<boolean> {
    return (await this.redis.client.exists(requestKey(sessionId))) === 1;
  }

  /** Calls `listener` with the session id of every cancel request; returns the unsubscribe. */
  listen(listener: (sessionId: string) => void): Promise<() => Promise<void>> {
    return this.subscriber.subscribe(CANCEL_CHANNEL, (message) => {
      const sessionId = (message as { sessionId?: unknown }).sessionId;
      if (typeof sessionId === 'string') listener(sessionId);
    });
  }
}
