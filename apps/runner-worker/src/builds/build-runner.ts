import { Injectable, Logger } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { AppConfig } from '#config';
import {
  isFinishedStatus,
  isLiveAgent,
  LIVE_AGENT_FORMATS,
  type BuildJob,
  type BuildRequest,
  type NewBuildEvent,
  type SessionSummary,
} from '#contracts';
import { BuildJobDto } from '#contracts/dto';
import { CancelRequests, EventPublisher } from '#bus';
import { BuildReadModel, EventStore, SessionClosedError } from '#persistence';
import { demoScript, playDemo } from '../agents/demo/demo-script.js';
import { createParser } from '../agents/parsers/transcript-parser.js';
import { LiveAgents } from '../agents/live/live-agents.js';
import { replayTranscript } from '../agents/replay/replay.js';
import { RunningBuilds, type StopReason } from './running-builds.js';
import { SessionRecorder } from './session-recorder.js';
import { WorkerLeases } from './worker-leases.js';

export const DEFAULT_REPLAY_INTERVAL_MS = 20;
export const DEMO_MODEL = 'buildcast-demo';
export const DEMO_PROMPT = 'Add rate limiting to the checkout API';

export class InvalidJobError extends Error {}

/** A job with what it runs: its ids from Redis, its request from Postgres. */
type BuildToRun = BuildJob & BuildRequest;

/** Runs one build job: agent output → events → EventStore → publish, ending the session always. */
@Injectable()
export class BuildRunner {
  private readonly logger = new Logger(BuildRunner.name);

  constructor(
    private readonly readModel: BuildReadModel,
    private readonly store: EventStore,
    private readonly publisher: EventPublisher,
    private readonly cancelRequests: CancelRequests,
    private readonly running: RunningBuilds,
    private readonly leases: WorkerLeases,
    private readonly live: LiveAgents,
    private readonly config: AppConfig,
  ) {}

  async run(payload: unknown): Promise<void> {
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
    const claim = await this.leases.claim(session.id);
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
      this.store,
      this.publisher,
      this.config.toolOutputMaxBytes,
    );
    try {
      if (await this.cancelRequests.isRequested(session.id)) {
        await recorder.finish('cancelled', 'Cancelled before it started');
      } else {
        await this.running.run(session.id, (signal) => this.play(job, session, recorder, signal));
      }
    } catch (error) {
      if (error instanceof SessionClosedError) return; // ended elsewhere (cancelled while queued, or swept)
      this.logger.error(`Build ${session.id} failed: ${(error as Error).message}`);
      await recorder.finish('failed', `Runner error: ${(error as Error).message}`).catch(() => undefined);
    }
  }

  private async play(
    job: BuildToRun,
    session: SessionSummary,
    recorder: SessionRecorder,
    signal: AbortSignal,
  ) {
    for await (const batch of this.agentEvents(job, session, signal)) {
      if (signal.aborted) break;
      await recorder.record(batch);
    }
    if (!signal.aborted) {
      await recorder.finish('completed');
      return;
    }
    const reason = signal.reason as StopReason;
    if (reason === 'lease-lost') return; // already finished as interrupted by a sweeper
    await recorder.finish(
      reason === 'cancelled' ? 'cancelled' : 'interrupted',
      reason === 'cancelled' ? 'Cancelled by request' : 'The runner-worker shut down during the build',
    );
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
