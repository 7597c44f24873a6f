import { Injectable } from '@nestjs/common';
import {
  projectChannel,
  sessionChannel,
  type CommittedEventsMessage,
  type SessionSummary,
  type SessionSummaryMessage,
} from '#contracts';
import type { ChainableCommander } from 'ioredis';
import type { AppendResult } from '#persistence';
import { RedisUnavailableError, withTimeout } from './redis-unavailable.js';
import { RedisService } from './redis.service.js';

/** A publish that takes longer than this is given up (it may still land; readers dedupe by seq). */
export const PUBLISH_TIMEOUT_MS = 500;

export function toSummaryMessage(summary: SessionSummary): SessionSummaryMessage {
  return {
    type: 'session',
    projectId: summary.projectId,
    sessionId: summary.id,
    status: summary.status,
    progress: summary.progress,
    agentId: summary.agentId,
    model: summary.model,
    projectName: summary.projectName,
    seq: summary.seq,
    startedAt: summary.startedAt,
    endedAt: summary.endedAt,
  };
}

/**
 * Rings the doorbell after a commit. Redis only ever carries committed events; a lost
 * message costs nothing because every reader can fill the gap from Postgres by seq (the
 * gateway's audit and catch-up). So a publish never holds a commit up: while Redis is down
 * it fails at once, and a frozen Redis fails it after PUBLISH_TIMEOUT_MS.
 */
@Injectable()
export class EventPublisher {
  constructor(private readonly redis: RedisService) {}

  async publishCommitted(append: AppendResult): Promise<void> {
    const pipeline = this.redis.client.pipeline();
    if (append.events.length > 0) {
      const message: CommittedEventsMessage = {
        projectId: append.projectId,
        sessionId: append.sessionId,
        fromSeq: append.fromSeq,
        toSeq: append.toSeq,
        events: append.events,
      };
      pipeline.publish(sessionChannel(append.projectId, append.sessionId), JSON.stringify(message));
    }
    if (append.summaryChanged) {
      pipeline.publish(projectChannel(append.projectId), JSON.stringify(toSummaryMessage(append.summary)));
    }
    if (pipeline.length > 0) await this.send(pipeline);
  }

  async publishSummary(summary: SessionSummary): Promise<void> {
    await this.send(
      this.redis.client
        .pipeline()
        .publish(projectChannel(summary.projectId), JSON.stringify(toSummaryMessage(summary))),
    );
  }

  private async send(pipeline: ChainableCommander): Promise<void> {
    if (!this.redis.isReady) throw new RedisUnavailableError('PUBLISH: not connected');
    const results = await withTimeout(pipeline.exec(), PUBLISH_TIMEOUT_MS, 'PUBLISH');
    const failure = results?.find(([error]) => error !== null)?.[0];
    if (failure) throw new RedisUnavailableError('PUBLISH', failure);
  }
}
