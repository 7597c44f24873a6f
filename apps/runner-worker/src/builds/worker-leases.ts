import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '#config';
import type { BuildJob, BuildLane } from '#contracts';
import type { ClaimResult } from '#persistence';
import { BuildLog, CancelRequests } from '#bus';
import { LeaseHeldError, SessionClosedError, SessionLeases } from '#persistence';
import { RunningBuilds } from './running-builds.js';

/**
 * Crash recovery. This worker holds a lease on the session row of every build it runs and
 * renews them together every tick (only those it is running: a build it gave up runs out);
 * every worker also sweeps (at start-up, then every tick) for live sessions whose lease ran
 * out and finishes them `interrupted` (`cancelled` when a cancel was requested). With bound
 * B = INTERRUPT_AFTER_MS: lease 2/3·B, tick B/6, so a dead worker's build ends within
 * 2/3·B + B/6 < B while any worker is up (and at the next worker's start otherwise).
 */
@Injectable()
export class WorkerLeases implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WorkerLeases.name);
  readonly workerId = `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly interruptAfterMs: number;
  private readonly leaseMs: number;
  private readonly tickMs: number;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  /**
   * Until when (performance.now()) each lease of this worker surely lasts: from when the
   * claim or renewal that set it was sent, so never later than Postgres' own expiry.
   */
  private readonly validUntil = new Map<string, number>();

  constructor(
    config: AppConfig,
    private readonly leases: SessionLeases,
    private readonly log: BuildLog,
    private readonly running: RunningBuilds,
    private readonly cancelRequests: CancelRequests,
  ) {
    this.interruptAfterMs = config.interruptAfterMs;
    this.leaseMs = Math.floor((config.interruptAfterMs * 2) / 3);
    this.tickMs = Math.floor(config.interruptAfterMs / 6);
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.sweep(); // sessions left by a worker that died while none was up
    this.timer = setInterval(() => {
      this.ticking ??= this.tick().finally(() => (this.ticking = undefined));
    }, this.tickMs).unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.ticking;
  }

  /** Takes a queued session's lease for this worker ('held': another worker has it, live or dead). */
  async claim(sessionId: string): Promise<ClaimResult> {
    const sentAt = performance.now();
    const claim = await this.leases.claim(sessionId, this.workerId, this.leaseMs);
    if (claim === 'claimed') this.validUntil.set(sessionId, sentAt + this.leaseMs);
    return claim;
  }

  /** Takes the leases of up to `limits[lane]` queued sessions per lane no live worker holds (the Postgres build queue). */
  async claimQueued(limits: Record<BuildLane, number>): Promise<(BuildJob & { lane: BuildLane })[]> {
    const sentAt = performance.now();
    const claimed = await this.leases.claimQueued(this.workerId, this.leaseMs, limits);
    for (const { sessionId } of claimed) this.validUntil.set(sessionId, sentAt + this.leaseMs);
    return claimed;
  }

  /** How long this worker's lease on a session it claimed surely lasts (≤ 0: it may have run out). */
  leaseLeftMs(sessionId: string): number {
    return (this.validUntil.get(sessionId) ?? 0) - performance.now();
  }

  /** The build is over here: its lease is no longer tracked, so no longer renewed. */
  forget(sessionId: string): void {
    this.validUntil.delete(sessionId);
  }

  /**
   * Gives the lease up now, for a build this worker could not end (its last append failed):
   * the next sweep, here or on another worker, ends it once Postgres answers. Best effort:
   * when even this fails, the lease simply runs out, since it is no longer renewed.
   */
  async release(sessionId: string): Promise<void> {
    this.forget(sessionId);
    try {
      await this.leases.release(sessionId, this.workerId);
    } catch (error) {
      this.logger.warn(
        `Could not give up the lease of ${sessionId} (${(error as Error).message}); it runs out within ${this.leaseMs} ms`,
      );
    }
  }

  /**
   * Ends a session whose worker's lease ran out (checked under its row lock): `cancelled` if
   * someone asked to cancel it (that worker could not act on it), else `interrupted` (an
   * external session: no append came for INTERRUPT_AFTER_MS; the API ends a cancelled one itself).
   */
  async interruptIfAbandoned(sessionId: string, workerId: string | null, external = false): Promise<boolean> {
    const worker = workerId ? ` (${workerId})` : '';
    const cancelled = await this.cancelRequests.isRequested(sessionId); // false when Redis cannot say
    const data = external
      ? ({
          status: 'interrupted',
          error: `No events arrived from its external runner for INTERRUPT_AFTER_MS (${this.interruptAfterMs} ms)`,
        } as const)
      : cancelled
        ? ({
            status: 'cancelled',
            error: `Cancelled by request; its runner-worker had stopped responding${worker}`,
          } as const)
        : ({
            status: 'interrupted',
            error: `The runner-worker running this build stopped responding${worker}`,
          } as const);
    try {
      await this.log.append(sessionId, [{ type: 'session.finished', data }], { onlyIfLeaseExpired: true });
      this.logger.warn(`Build ${sessionId} ${data.status}: ${data.error}`);
      return true;
    } catch (failure) {
      // Another sweeper finished it first, or its worker renewed the lease after all.
      if (failure instanceof SessionClosedError || failure instanceof LeaseHeldError) return false;
      throw failure;
    }
  }

  private async tick(): Promise<void> {
    try {
      // Read first: a build registered later was claimed after this renewal began. A build
      // given up (released) stays registered until it returns, but is not renewed.
      const running = this.running.ids().filter((sessionId) => this.validUntil.has(sessionId));
      const sentAt = performance.now();
      const held = await this.leases.renew(this.workerId, this.leaseMs, running);
      for (const sessionId of running) {
        if (!held.has(sessionId)) {
          // Ended by a sweeper while this worker was unresponsive: stop the agent, record nothing.
          this.running.stop(sessionId, 'lease-lost');
        } else if (this.validUntil.has(sessionId)) {
          this.validUntil.set(sessionId, sentAt + this.leaseMs); // unless given up meanwhile
        }
      }
      await this.sweep();
    } catch (error) {
      this.logger.warn(`Lease renewal or sweep failed: ${(error as Error).message}`);
    }
  }

  private async sweep(): Promise<void> {
    for (const session of await this.leases.expired()) {
      await this.interruptIfAbandoned(session.id, session.workerId, session.external);
    }
  }
}
