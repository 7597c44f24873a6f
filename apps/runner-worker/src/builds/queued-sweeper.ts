import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { AppConfig } from '#config';
import { BUILDS_QUEUE, buildLane, LIVE_BUILDS_QUEUE, type BuildJob, type BuildLane } from '#contracts';
import { BuildLog, isRedisUnavailable, withTimeout } from '#bus';
import {
  BuildReadModel,
  SessionClosedError,
  type UnclaimedSession,
  InjectBuildcastDataSource,
} from '#persistence';
import { queuedSessionAction } from './queued-action.js';

/** Arbitrary but fixed: one queued-session sweep at a time across every runner-worker. */
const QUEUED_SWEEP_LOCK_ID = '4242024111';
/** Per queue command; a sweep stops at the first that fails (Redis is away: nothing to do). */
const QUEUE_COMMAND_TIMEOUT_MS = 2000;

const NO_REQUEST_ERROR =
  'The build request was not stored (queued by an older version, whose job Redis lost); start it again';

/**
 * Queued builds never stay queued for good (issue 15, item 5). A session is queued in
 * Postgres first and its job added to Redis after; Redis can lose the job (a restart without
 * persistence) or the API may not have reached it. Every tick (INTERRUPT_AFTER_MS / 6) this
 * looks at sessions queued longer than INTERRUPT_AFTER_MS that no worker has claimed, and
 * queues them again (jobId = sessionId, so at most one job each) or ends them `interrupted`
 * when there is nothing to run. One worker at a time (a Postgres advisory lock); a build
 * still runs once at most, because a worker must claim the session's lease to run it.
 */
@Injectable()
export class QueuedSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(QueuedSweeper.name);
  private readonly graceMs: number;
  private readonly tickMs: number;
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<unknown> | undefined;
  private readonly queues: Record<BuildLane, Queue<BuildJob>>;

  constructor(
    config: AppConfig,
    @InjectBuildcastDataSource() private readonly dataSource: DataSource,
    private readonly readModel: BuildReadModel,
    private readonly log: BuildLog,
    @InjectQueue(BUILDS_QUEUE) replays: Queue<BuildJob>,
    @InjectQueue(LIVE_BUILDS_QUEUE) live: Queue<BuildJob>,
  ) {
    this.graceMs = config.interruptAfterMs;
    this.tickMs = Math.floor(config.interruptAfterMs / 6);
    this.queues = { replay: replays, live };
    for (const queue of [replays, live]) {
      // Without a listener BullMQ prints every failed reconnect; a sweep reports its own failures.
      queue.on('error', (error) => this.logger.debug(`Queue connection: ${error.message}`));
    }
  }

  onApplicationBootstrap(): void {
    this.schedule();
    this.timer = setInterval(() => this.schedule(), this.tickMs).unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
  }

  private schedule(): void {
    this.sweeping ??= this.sweep()
      .catch((error: Error) => this.logger.warn(`Queued-session sweep failed: ${error.message}`))
      .finally(() => (this.sweeping = undefined));
  }

  /** One pass; returns how many sessions it queued again and how many it interrupted. */
  async sweep(): Promise<{ requeued: number; interrupted: number }> {
    const outcome = { requeued: 0, interrupted: 0 };
    await this.dataSource.transaction(async (manager) => {
      const [{ locked }] = await manager.query<{ locked: boolean }[]>(
        'SELECT pg_try_advisory_xact_lock($1::bigint) AS locked',
        [QUEUED_SWEEP_LOCK_ID],
      );
      if (!locked) return; // another worker is sweeping
      for (const session of await this.readModel.unclaimedQueuedSessions(this.graceMs)) {
        try {
          const action = await this.resolve(session);
          if (action === 'requeued') outcome.requeued += 1;
          if (action === 'interrupted') outcome.interrupted += 1;
        } catch (error) {
          if (isRedisUnavailable(error)) {
            this.logger.warn(`Queued-session sweep paused: ${(error as Error).message}`);
            return;
          }
          throw error;
        }
      }
    });
    if (outcome.requeued + outcome.interrupted > 0) {
      this.logger.warn(
        `Queued sessions without a job: ${outcome.requeued} queued again, ${outcome.interrupted} interrupted`,
      );
    }
    return outcome;
  }

  private async resolve(session: UnclaimedSession): Promise<'requeued' | 'interrupted' | 'left'> {
    const queue = this.queues[buildLane(session.agent)];
    const state = await this.redis(queue.getJobState(session.id), 'job state');
    switch (queuedSessionAction(state, session.hasRequest)) {
      case 'leave':
        return 'left';
      case 'interrupt':
        return (await this.interrupt(session.id)) ? 'interrupted' : 'left';
      case 'replace':
        await this.redis(queue.remove(session.id), 'remove job');
        break;
      case 'enqueue':
        break;
    }
    const job: BuildJob = { sessionId: session.id, projectId: session.projectId };
    await this.redis(queue.add('build', job, { jobId: session.id }), 'enqueue');
    return 'requeued';
  }

  private async interrupt(sessionId: string): Promise<boolean> {
    try {
      await this.log.append(sessionId, [
        { type: 'session.finished', data: { status: 'interrupted', error: NO_REQUEST_ERROR } },
      ]);
      return true;
    } catch (error) {
      if (error instanceof SessionClosedError) return false; // ended meanwhile (e.g. cancelled)
      throw error;
    }
  }

  private redis<T>(work: Promise<T>, what: string): Promise<T> {
    return withTimeout(work, QUEUE_COMMAND_TIMEOUT_MS, what);
  }
}
