import { Injectable, Logger } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { AppConfig } from '#config';
import { isFinishedStatus, type FinishedStatus, type BuildJob } from '#contracts';
import { BuildJobDto } from '#contracts/dto';
import { BuildLog, CancelRequests } from '#bus';
import { BuildReadModel, SessionClosedError } from '#persistence';
import { sessionContext, type AgentSource, type BuildToPlay } from '../agents/agent-source.js';
import { AgentSources } from '../agents/agent-sources.js';
import { RunnerMetrics } from '../observability/runner-metrics.js';
import { RunningBuilds, type StopReason } from './running-builds.js';
import { SessionRecorder } from './session-recorder.js';
import { WorkerLeases } from './worker-leases.js';

export class InvalidJobError extends Error {}

/** How a build stopped for each reason (but a lost lease: the sweeper already ended it) ends. */
const STOPPED: Record<Exclude<StopReason, 'lease-lost'>, [FinishedStatus, (buildMaxMs: number) => string]> = {
  cancelled: ['cancelled', () => 'Cancelled by request'],
  shutdown: ['interrupted', () => 'The runner-worker shut down during the build'],
  'time-limit': [
    'interrupted',
    (buildMaxMs) => `The build ran longer than BUILD_MAX_MS (${buildMaxMs} ms) and was stopped`,
  ],
};

/**
 * Runs one build job: validates it, claims its session, records what the agent kind's source
 * (AgentSources) yields through the BuildLog (commit, then publish), and ends the session always.
 */
@Injectable()
export class BuildRunner {
  private readonly logger = new Logger(BuildRunner.name);

  constructor(
    private readonly readModel: BuildReadModel,
    private readonly log: BuildLog,
    private readonly cancelRequests: CancelRequests,
    private readonly running: RunningBuilds,
    private readonly leases: WorkerLeases,
    private readonly sources: AgentSources,
    private readonly config: AppConfig,
    private readonly metrics: RunnerMetrics,
  ) {}

  /** `claimed`: this worker already holds the session's lease (the Postgres build queue claimed it). */
  async run(payload: unknown, claimed = false): Promise<void> {
    const ids = validateJob(payload);
    const session = await this.readModel.getSessionSummary(ids.projectId, ids.sessionId);
    if (!session) {
      this.logger.warn(`Build ${ids.sessionId} no longer exists; job dropped`);
      return;
    }
    if (isFinishedStatus(session.status)) return;
    const request = await this.readModel.getBuildRequest(session.id);
    if (!request) {
      // Queued by a version that kept requests in the job: the queued-session sweeper ends it.
      this.logger.warn(`Build ${session.id} has no stored request; job dropped`);
      return;
    }
    const claim = claimed ? 'claimed' : await this.leases.claim(session.id);
    if (claim === 'finished') return;
    if (claim === 'held') {
      // Delivered again (BullMQ saw the job stall) while another worker holds the session:
      // never run a build twice. A dead holder's session is interrupted now; a live one keeps it.
      await this.leases.interruptIfAbandoned(session.id, null);
      return;
    }
    const source = this.sources.get(request.agent);
    const build: BuildToPlay = { request, session, context: sessionContext(session, source.defaults) };
    const recorder = new SessionRecorder(
      session.id,
      build.context,
      this.log,
      this.config.toolOutputMaxBytes,
      () => this.leases.leaseLeftMs(session.id),
      (batchSize, seconds) => this.metrics.observeAppend(batchSize, seconds),
    );
    const logged = { projectId: session.projectId, sessionId: session.id, agent: request.agent };
    this.metrics.buildStarted(session.createdAt);
    this.logger.log(`Build ${session.id} started`, { ...logged, seq: session.seq });
    try {
      // Registered while it ends too: its lease is renewed until the last append is done.
      await this.running.run(session.id, (signal) => this.runClaimed(source, build, recorder, signal));
    } finally {
      this.leases.forget(session.id);
      const outcome = recorder.status ?? 'ended_elsewhere';
      this.metrics.buildEnded(request.agent, outcome);
      this.logger.log(`Build ${session.id} ended: ${outcome}`, {
        ...logged,
        outcome,
        seq: Math.max(recorder.seq, session.seq),
      });
    }
  }

  /** Plays a build this worker holds the lease of, and ends its session whatever happens. */
  private async runClaimed(
    source: AgentSource,
    build: BuildToPlay,
    recorder: SessionRecorder,
    signal: AbortSignal,
  ): Promise<void> {
    try {
      // Read once the build is registered: a request announced from now on reaches it (stop()).
      if (await this.cancelRequests.isRequested(build.session.id)) {
        await recorder.finish('cancelled', 'Cancelled before it started');
      } else {
        await this.play(source, build, recorder, signal);
      }
    } catch (error) {
      if (error instanceof SessionClosedError) return; // ended elsewhere (cancelled while queued, or swept)
      await this.endAfterFailure(build.session.id, recorder, error as Error);
    }
  }

  /**
   * An append or the agent failed: the build ends `failed`. When that last append fails too
   * (Postgres unreachable for longer than the lease), the lease is given up, so a sweeper
   * ends the build as soon as Postgres answers; it never stays `running`.
   */
  private async endAfterFailure(sessionId: string, recorder: SessionRecorder, error: Error): Promise<void> {
    this.logger.error(`Build ${sessionId} failed: ${error.message}`);
    try {
      await recorder.finishAfterFailure(`Runner error: ${error.message}`);
    } catch (failure) {
      if (failure instanceof SessionClosedError) return;
      this.logger.error(
        `Build ${sessionId} could not be ended (${(failure as Error).message}); giving up its lease for the sweeper`,
      );
      await this.leases.release(sessionId);
    }
  }

  private async play(
    source: AgentSource,
    build: BuildToPlay,
    recorder: SessionRecorder,
    signal: AbortSignal,
  ) {
    // While an append is in flight the agent keeps going: what it emits meanwhile is the next
    // append (group commit), and record() waits only when a burst is far ahead of the commits.
    for await (const batch of source.events(build, signal)) {
      if (signal.aborted) break;
      await recorder.record(batch);
    }
    if (!signal.aborted) {
      await recorder.finish('completed');
      return;
    }
    const reason = signal.reason as StopReason;
    if (reason === 'lease-lost') {
      await recorder.abandon(); // already finished as interrupted by a sweeper
      return;
    }
    const [status, error] = STOPPED[reason];
    await recorder.finish(status, error(this.config.buildMaxMs));
  }
}

function validateJob(payload: unknown): BuildJob {
  const job = plainToInstance(BuildJobDto, payload);
  const errors = validateSync(job, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0) {
    const fields = errors.map((error) => Object.values(error.constraints ?? {}).join('; ')).join('; ');
    throw new InvalidJobError(`Invalid build job: ${fields}`);
  }
  return job;
}
