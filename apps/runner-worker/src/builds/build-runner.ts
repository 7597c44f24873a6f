import { Injectable, Logger } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { AppConfig } from '#config';
import {
  isFinishedStatus,
  isLiveAgent,
  type FinishedStatus,
  LIVE_AGENT_FORMATS,
  type BuildJob,
  type BuildRequest,
  type NewBuildEvent,
  type SessionSummary,
} from '#contracts';
import { BuildJobDto, DEFAULT_REPLAY_INTERVAL_MS } from '#contracts/dto';
import { BuildLog, CancelRequests } from '#bus';
import { BuildReadModel, SessionClosedError } from '#persistence';
import { demoScript, playDemo } from '../agents/demo/demo-script.js';
import { createParser } from '#transcripts';
import { LiveAgents } from '../agents/live/live-agents.js';
import { replayTranscript } from '../agents/replay/replay.js';
import { RunnerMetrics } from '../observability/runner-metrics.js';
import { RunningBuilds, type StopReason } from './running-builds.js';
import { SessionRecorder } from './session-recorder.js';
import { WorkerLeases } from './worker-leases.js';

export const DEMO_MODEL = 'buildcast-demo';
export const DEMO_PROMPT = 'Add rate limiting to the checkout API';

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

/** A job with what it runs: its ids from Redis, its request from Postgres. */
type BuildToRun = BuildJob & BuildRequest;

/** Runs one build job: agent output → events → BuildLog (commit, then publish), ending the session always. */
@Injectable()
export class BuildRunner {
  private readonly logger = new Logger(BuildRunner.name);

  constructor(
    private readonly readModel: BuildReadModel,
    private readonly log: BuildLog,
    private readonly cancelRequests: CancelRequests,
    private readonly running: RunningBuilds,
    private readonly leases: WorkerLeases,
    private readonly live: LiveAgents,
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
    const job: BuildToRun = { ...ids, ...request };
    const claim = claimed ? 'claimed' : await this.leases.claim(session.id);
    if (claim === 'finished') return;
    if (claim === 'held') {
      // Delivered again (BullMQ saw the job stall) while another worker holds the session:
      // never run a build twice. A dead holder's session is interrupted now; a live one keeps it.
      await this.leases.interruptIfAbandoned(session.id, null);
      return;
    }
    const recorder = new SessionRecorder(
      session.id,
      {
        agentId: session.agentId,
        model: session.model ?? (job.agent === 'demo' ? DEMO_MODEL : null),
        projectName: session.projectName,
        prompt: session.prompt ?? (job.agent === 'demo' ? DEMO_PROMPT : null),
      },
      this.log,
      this.config.toolOutputMaxBytes,
      () => this.leases.leaseLeftMs(session.id),
      (batchSize, seconds) => this.metrics.observeAppend(batchSize, seconds),
    );
    const build = { projectId: session.projectId, sessionId: session.id, agent: job.agent };
    this.metrics.buildStarted(session.createdAt);
    this.logger.log(`Build ${session.id} started`, { ...build, seq: session.seq });
    try {
      // Registered while it ends too: its lease is renewed until the last append is done.
      await this.running.run(session.id, (signal) => this.runClaimed(job, session, recorder, signal));
    } finally {
      this.leases.forget(session.id);
      const outcome = recorder.status ?? 'ended_elsewhere';
      this.metrics.buildEnded(job.agent, outcome);
      this.logger.log(`Build ${session.id} ended: ${outcome}`, {
        ...build,
        outcome,
        seq: Math.max(recorder.seq, session.seq),
      });
    }
  }

  /** Plays a build this worker holds the lease of, and ends its session whatever happens. */
  private async runClaimed(
    job: BuildToRun,
    session: SessionSummary,
    recorder: SessionRecorder,
    signal: AbortSignal,
  ): Promise<void> {
    try {
      // Read once the build is registered: a request announced from now on reaches it (stop()).
      if (await this.cancelRequests.isRequested(session.id)) {
        await recorder.finish('cancelled', 'Cancelled before it started');
      } else {
        await this.play(job, session, recorder, signal);
      }
    } catch (error) {
      if (error instanceof SessionClosedError) return; // ended elsewhere (cancelled while queued, or swept)
      await this.endAfterFailure(session.id, recorder, error as Error);
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
    job: BuildToRun,
    session: SessionSummary,
    recorder: SessionRecorder,
    signal: AbortSignal,
  ) {
    // While an append is in flight the agent keeps going: what it emits meanwhile is the next
    // append (group commit), and record() waits only when a burst is far ahead of the commits.
    for await (const batch of this.agentEvents(job, session, signal)) {
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

  private agentEvents(
    job: BuildToRun,
    session: SessionSummary,
    signal: AbortSignal,
  ): AsyncIterable<NewBuildEvent[]> {
    if (job.agent === 'demo') return playDemo(signal, demoSpeed(job.eventIntervalMs));
    const format = isLiveAgent(job.agent) ? LIVE_AGENT_FORMATS[job.agent] : job.format!;
    const parser = createParser(format, {
      agentId: session.agentId,
      projectName: session.projectName,
      prompt: session.prompt,
      model: session.model,
    });
    if (isLiveAgent(job.agent)) return this.live.run(job.agent, session, parser, signal);
    return replayTranscript(
      job.transcript!,
      parser,
      job.eventIntervalMs ?? DEFAULT_REPLAY_INTERVAL_MS,
      signal,
    );
  }
}

/** `eventIntervalMs` on a demo sets its average pause between steps (default: the script's). */
function demoSpeed(eventIntervalMs: number | undefined): number {
  if (eventIntervalMs === undefined) return 1;
  const steps = demoScript();
  const averageStepMs = steps.reduce((sum, step) => sum + step.delayMs, 0) / steps.length;
  return averageStepMs / Math.max(eventIntervalMs, 0.01);
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
