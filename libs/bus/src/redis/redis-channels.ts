import { Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { utf8Json } from '#persistence';
import { ChannelPublisher, type Announcement } from '../channels/channel-publisher.js';
import { MessageSource, type MessageHandlers } from '../channels/message-source.js';
import { RedisUnavailableError, withTimeout } from './redis-unavailable.js';
import { RedisService } from './redis.service.js';

/** A publish that takes longer than this is given up (it may still land; readers dedupe by seq). */
export const PUBLISH_TIMEOUT_MS = 500;

/**
 * PUBLISH on the shared command connection, pipelined. Redis only announces, so a publish
 * never waits for it: while Redis is down it fails at once, a frozen Redis after
 * PUBLISH_TIMEOUT_MS.
 */
@Injectable()
export class RedisChannelPublisher extends ChannelPublisher {
  readonly carriesEventBodies = true;

  constructor(private readonly redis: RedisService) {
    super();
  }

  async publish(announcements: readonly Announcement[]): Promise<void> {
    if (announcements.length === 0) return;
    if (!this.redis.isReady) throw new RedisUnavailableError('PUBLISH: not connected');
    const pipeline = this.redis.client.pipeline();
    // The bytes of JSON.stringify(message), made event by event (see utf8Json).
    for (const { channel, message } of announcements) pipeline.publish(channel, utf8Json(message));
    const results = await withTimeout(pipeline.exec(), PUBLISH_TIMEOUT_MS, 'PUBLISH');
    const failure = results?.find(([error]) => error !== null)?.[0];
    if (failure) throw new RedisUnavailableError('PUBLISH', failure);
  }
}

/** One Redis connection in subscriber mode, made on first use; ioredis resubscribes after a reconnect. */
@Injectable()
export class RedisMessageSource extends MessageSource {
  private connection: Redis | undefined;
  private handlers: MessageHandlers | undefined;

  constructor(private readonly redis: RedisService) {
    super();
  }

  /** The subscriber connection is up (or not made yet and Redis itself is up). */
  get ready(): boolean {
    return this.connection ? this.connection.status === 'ready' : this.redis.isReady;
  }

  listen(handlers: MessageHandlers): void {
    this.handlers = handlers;
  }

  async subscribe(channels: readonly string[]): Promise<void> {
    await this.subscriber().subscribe(...channels);
  }

  async unsubscribe(channel: string): Promise<void> {
    await this.subscriber().unsubscribe(channel);
  }

  private subscriber(): Redis {
    if (!this.connection) {
      this.connection = this.redis.duplicate('subscriber');
      this.connection.on('message', (channel: string, raw: string) => this.handlers?.message(channel, raw));
      this.connection.on('ready', () => this.handlers?.ready());
    }
    return this.connection;
  }
}
