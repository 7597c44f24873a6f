import { Injectable, Logger } from '@nestjs/common';
import { withTimeout } from '../redis/redis-unavailable.js';
import { MessageSource } from './message-source.js';

/** Without a connection, waitFor reads again this often instead of waiting for a message. */
export const POLL_WITHOUT_REDIS_MS = 500;
/** How long waitFor gives a SUBSCRIBE before it polls instead. */
const SUBSCRIBE_WAIT_MS = 1000;

/** Gets each message parsed, and as it was sent (to forward without re-serializing). */
export type ChannelListener = (message: unknown, raw: string) => void;

/**
 * One subscriber connection per process (Redis or Postgres: the MessageSource). A channel is
 * subscribed while at least one listener wants it and unsubscribed when the last one leaves;
 * after a reconnect every listener that asked is told (onReconnect), since messages sent
 * meanwhile are lost.
 */
@Injectable()
export class ChannelSubscriber {
  private readonly logger = new Logger(ChannelSubscriber.name);
  private readonly listeners = new Map<string, Set<ChannelListener>>();
  private readonly reconnectListeners = new Set<() => void>();
  private listening = false;
  private connectedBefore = false;

  constructor(private readonly source: MessageSource) {}

  /** Resolves once the subscription is in effect; returns the function that leaves. */
  async subscribe(channel: string, listener: ChannelListener): Promise<() => Promise<void>> {
    let set = this.listeners.get(channel);
    const first = set === undefined;
    if (!set) {
      set = new Set();
      this.listeners.set(channel, set);
    }
    set.add(listener);
    if (first) {
      try {
        await this.subscriber().subscribe([channel]);
      } catch (error) {
        await this.leave(channel, listener);
        throw error;
      }
    }
    return () => this.leave(channel, listener);
  }

  /**
   * Waits until a message on `channel` satisfies `accept`, or `timeoutMs` passes. `ready`
   * runs after the subscription is confirmed, so a check done there cannot miss a message
   * published in between; when it returns true the wait ends at once. While the connection is
   * away (not connected, or no subscription confirmed within a second) it calls `ready` every
   * POLL_WITHOUT_REDIS_MS instead: slower to notice, but never stuck and never early.
   */
  async waitFor(
    channel: string,
    accept: (message: unknown) => boolean,
    timeoutMs: number,
    ready: () => Promise<boolean>,
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let wake!: () => void;
    const woken = new Promise<void>((resolve) => (wake = resolve));
    const subscribing = this.source.ready
      ? this.subscribe(channel, (message) => {
          if (accept(message)) wake();
        })
      : undefined;
    let leave: (() => Promise<void>) | undefined;
    try {
      leave =
        subscribing && (await withTimeout(subscribing, Math.min(SUBSCRIBE_WAIT_MS, timeoutMs), 'SUBSCRIBE'));
    } catch {
      // Confirmed too late (or not at all): leave as soon as it is, and poll meanwhile.
      void subscribing?.then((late) => late()).catch(() => undefined);
    }
    if (!leave) return this.pollUntil(deadline, ready);
    const timer = setTimeout(wake, Math.max(0, deadline - Date.now()));
    try {
      if (await ready()) return;
      await woken;
    } finally {
      clearTimeout(timer);
      await leave();
    }
  }

  private async pollUntil(deadline: number, ready: () => Promise<boolean>): Promise<void> {
    while (!(await ready())) {
      const left = deadline - Date.now();
      if (left <= 0) return;
      await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_WITHOUT_REDIS_MS, left)));
    }
  }

  /**
   * Called after the subscriber connection came back and every channel is subscribed again:
   * messages published while it was away are lost, so callers read what they missed.
   */
  onReconnect(listener: () => void): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  channelCount(): number {
    return this.listeners.size;
  }

  private async leave(channel: string, listener: ChannelListener): Promise<void> {
    const set = this.listeners.get(channel);
    if (!set?.delete(listener) || set.size > 0) return;
    this.listeners.delete(channel);
    await this.subscriber()
      .unsubscribe(channel)
      .catch((error: Error) => this.logger.warn(`UNSUBSCRIBE ${channel} failed: ${error.message}`));
  }

  private subscriber(): MessageSource {
    if (!this.listening) {
      this.listening = true;
      this.source.listen({
        message: (channel, raw) => this.dispatch(channel, raw),
        ready: () => void this.reconnected(),
      });
    }
    return this.source;
  }

  private async reconnected(): Promise<void> {
    if (!this.connectedBefore) {
      this.connectedBefore = true;
      return;
    }
    // ioredis resubscribes by itself; subscribing again (a no-op for Redis) tells us when
    // that has taken effect, so a read done afterwards cannot miss a later publish.
    const channels = [...this.listeners.keys()];
    try {
      if (channels.length > 0) await this.subscriber().subscribe(channels);
    } catch (error) {
      this.logger.warn(`Resubscribing after a reconnect failed: ${(error as Error).message}`);
      return;
    }
    for (const listener of this.reconnectListeners) listener();
  }

  private dispatch(channel: string, raw: string): void {
    const set = this.listeners.get(channel);
    if (!set) return;
    let message: unknown;
    try {
      message = JSON.parse(raw);
    } catch {
      this.logger.warn(`Ignored a message on ${channel} that is not JSON`);
      return;
    }
    for (const listener of set) {
      try {
        listener(message, raw);
      } catch (error) {
        this.logger.error(`Listener on ${channel} failed: ${(error as Error).message}`);
      }
    }
  }
}
