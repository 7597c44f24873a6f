import { randomBytes } from 'node:crypto';
import os from 'node:os';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '#config';
import type { ClaimResult } from '#persistence';
import { EventPublisher } from '#bus';
import { EventStore, LeaseHeldError, SessionClosedError, SessionLeases } from '#persistence';
import { RunningBuilds } from './running-builds.js';

/**
 * Crash recovery. This worker holds a lease on the session row of every build it runs and
 * renews them together every tick; every worker also sweeps (at start-up, then every tick)
 * for live sessions whose lease ran out and finishes them `interrupted`. With bound B =
 * INTERRUPT_AFTER_MS: lease 2/3·B, tick B/6, so a dead worker's build ends within
 * 2/3·B + B/6 < B while any worker is up (and at the next worker's start otherwise).
 */
@Injectable()
export class WorkerLeases implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WorkerLeases.name);
  readonly workerId = `${os.hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  private readonly leaseMs: number;
  private readonly tickMs: number;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;

  constructor(
    config: AppConfig,
    private readonly leases: SessionLeases,
    private readonly store: EventStore,
    private readonly publisher: EventPublisher,
    private readonly running: RunningBuilds,
  ) {
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
  claim(sessionId: string): Promise<ClaimResult> {
    return this.leases.claim(sessionId, this.workerId, this.leaseMs);
  }

  /** Ends a session as interrupted if (checked under its row lock) its worker's lease ran out. */
  async interruptIfAbandoned(sessionId: string, workerId: string | null): Promise<boolean> {
    const error = `The runner-worker running this build stopped responding${workerId ? ` (${workerId})` : ''}`;
    try {
      const committed = await this.store.append(
        sessionId,
        [{ type: 'session.finished', data: { status: 'interrupted', error } }],
        { onlyIfLeaseExpired: true },
      );
      await this.publisher
        .publishCommitted(committed)
        .catch((failure: Error) => this.logger.warn(`Publish for ${sessionId} failed: ${failure.message}`));
      this.logger.warn(`Build ${sessionId} interrupted: ${error}`);
      return true;
    } catch (failure) {
      // Another sweeper finished it first, or its worker renewed the lease after all.
      if (failure instanceof SessionClosedError || failure instanceof LeaseHeldError) return false;
      throw failure;
    }
  }

  private async tick(): Promise<void> {
    try {
      // Read first: a build registered later was claimed after this renewal began.
      const running = this.running.ids();
      const held = await this.leases.renew(this.workerId, this.leaseMs);
      for (const sessionId of running) {
        // Ended by a sweeper while this worker was unresponsive: stop the agent, record nothing.
        if (!held.has(sessionId)) this.running.stop(sessionId, 'lease-lost');
      }
      await this.sweep();
    } catch (error) {
      this.logger.warn(`Lease renewal or sweep failed: ${(error as Error).message}`);
    }
  }

  private async sweep(): Promise<void> {
    for (const session of await this.leases.expired()) {
      await this.interruptIfAbandoned(session.id, session.workerId);
    }
  }
}
