import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AppConfig } from '#config';
import { limitKey, PresenceService, SlotStores, type ExpiringSlots } from '#bus';
import { ApiMetrics } from '../observability/api-metrics.js';
import { credentialTracker } from './credential-tracker.js';
import { tooManyRequests } from './too-many-requests.js';

/** A slot outlives its long-poll by this much before it expires by itself (crashed API). */
const SLOT_GRACE_MS = 10_000;

/**
 * LONG_POLLS_PER_KEY: long-polls one credential may have waiting at once, over every API
 * replica. A slot is taken when a long-poll starts and given back when it answers or the
 * client goes away; should this process die first, the slot expires after waitMs + 10 s.
 */
@Injectable()
export class LongPolls {
  private readonly slots: ExpiringSlots;

  constructor(
    slots: SlotStores,
    private readonly presence: PresenceService,
    private readonly config: AppConfig,
    private readonly metrics: ApiMetrics,
  ) {
    this.slots = slots.open('Long-poll limits');
  }

  /** The Redis key of a credential's long-polls (tests look at it). */
  static key(config: AppConfig, tracker: string): string {
    return limitKey(config, 'long-polls', tracker);
  }

  /** Runs `poll` in a slot of the request's credential; 429 when it has none left. */
  async run<T>(request: Request, response: Response, waitMs: number, poll: () => Promise<T>): Promise<T> {
    if (waitMs <= 0) return poll();
    this.metrics.longPollsInFlight.inc();
    try {
      return await this.runInSlot(request, response, waitMs, poll);
    } finally {
      this.metrics.longPollsInFlight.dec();
    }
  }

  private async runInSlot<T>(
    request: Request,
    response: Response,
    waitMs: number,
    poll: () => Promise<T>,
  ): Promise<T> {
    const tracker = credentialTracker(request.headers);
    if (tracker === null) return poll();
    const key = LongPolls.key(this.config, tracker);
    const member = `${this.presence.instanceId}:${randomUUID()}`;
    const limit = this.config.limits.longPollsPerKey;
    const answer = await this.slots.take(key, member, waitMs + SLOT_GRACE_MS, limit);
    if (answer.taken === false) {
      throw tooManyRequests(
        response,
        `Too many long-polls waiting with this credential: more than ${limit} at once (LONG_POLLS_PER_KEY); retry when one has answered`,
        answer.retryAfterMs,
      );
    }
    if (answer.taken === null) return poll(); // the store is unavailable: not enforced
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      void this.slots.release(key, member);
    };
    // The client going away ends its long-poll for the limit, even while the wait runs on
    // (the response closes then; the request's own 'close' only says its body was read).
    response.once('close', release);
    try {
      return await poll();
    } finally {
      response.off('close', release);
      release();
    }
  }
}
