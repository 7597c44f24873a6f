import { InjectQueue } from '@nestjs/bullmq';
import {
  BadRequestException,
  ConflictException,
  Injectable,
  Logger,
  NotFoundException,
} from '@nestjs/common';
import type { Queue } from 'bullmq';
import {
  agentIdFor,
  BUILDS_QUEUE,
  isFinishedStatus,
  isLiveAgent,
  sessionChannel,
  type BuildJob,
  type CommittedEventsMessage,
  type EventsPage,
  type SessionSummary,
  type StartBuildResponse,
  type ToolCallDetail,
} from '#contracts';
import { AppConfig, resolveAgent } from '#config';
import type { EventsQueryDto, StartBuildDto } from '#contracts/dto';
import { CancelRequests, ChannelSubscriber, ENQUEUE_TIMEOUT_MS, EventPublisher, withTimeout } from '#bus';
import { BuildReadModel, EventStore, SessionClosedError } from '#persistence';

@Injectable()
export class BuildsService {
  private readonly logger = new Logger(BuildsService.name);

  constructor(
    private readonly readModel: BuildReadModel,
    private readonly eventStore: EventStore,
    private readonly publisher: EventPublisher,
    private readonly subscriber: ChannelSubscriber,
    private readonly cancelRequests: CancelRequests,
    private readonly config: AppConfig,
    @InjectQueue(BUILDS_QUEUE) private readonly queue: Queue<BuildJob>,
  ) {
    // Without a listener BullMQ prints every failed reconnect; the health check reports Redis.
    this.queue.on('error', (error) => this.logger.debug(`Queue connection: ${error.message}`));
  }

  async start(projectId: string, body: StartBuildDto): Promise<StartBuildResponse> {
    if (body.agent === 'replay') assertHasJsonLines(body.transcript ?? '');
    if (isLiveAgent(body.agent)) {
      // Runner-workers share this configuration; a missing CLI is a 400 now, not a failed build later.
      const { unavailable } = await resolveAgent(
        body.agent,
        this.config.agents[body.agent],
        this.config.searchPath,
      );
      if (unavailable !== null) throw new BadRequestException([`agent: ${unavailable}`]);
    }
    const session = await this.readModel.createQueuedSession({
      projectId,
      agent: body.agent,
      agentId: agentIdFor(body.agent, body.format),
      model: body.model ?? null,
      prompt: body.prompt ?? null,
      request: { format: body.format, transcript: body.transcript, eventIntervalMs: body.eventIntervalMs },
    });
    if (!session) throw new NotFoundException(`Project ${projectId} not found`);
    // The build is accepted once it is in Postgres: if the queue is unreachable now, the
    // runner-workers' queued-session sweeper enqueues it when Redis is back.
    await this.enqueue({ sessionId: session.id, projectId });
    this.publisher
      .publishSummary(session)
      .catch((error: Error) => this.logger.warn(`Could not announce build ${session.id}: ${error.message}`));
    return { sessionId: session.id, projectId, status: 'queued' };
  }

  /** Never throws and never waits long: a job that cannot be added now is added by the sweeper. */
  private async enqueue(job: BuildJob): Promise<void> {
    try {
      // jobId = sessionId: BullMQ keeps one job per id, so a build is never queued twice.
      await withTimeout(
        this.queue.add('build', job, { jobId: job.sessionId }),
        ENQUEUE_TIMEOUT_MS,
        'enqueue',
      );
    } catch (error) {
      this.logger.warn(
        `Build ${job.sessionId} stays queued until the queue is reachable: ${(error as Error).message}`,
      );
    }
  }

  async list(projectId: string, limit: number): Promise<SessionSummary[]> {
    if (!(await this.readModel.getProject(projectId)))
      throw new NotFoundException(`Project ${projectId} not found`);
    return this.readModel.listSessions(projectId, limit);
  }

  /** The snapshot as JSON text built by Postgres: no parse and re-serialise of 5,000 tool calls. */
  async snapshotJson(projectId: string, sessionId: string): Promise<string> {
    const snapshot = await this.readModel.getSnapshotJson(projectId, sessionId);
    if (snapshot === null) throw sessionNotFound(projectId, sessionId);
    return snapshot;
  }

  async toolCall(projectId: string, sessionId: string, toolCallId: string): Promise<ToolCallDetail> {
    const call = await this.readModel.getToolCall(projectId, sessionId, toolCallId);
    if (!call) {
      throw new NotFoundException(
        `Tool call ${toolCallId} not found in build ${sessionId} of project ${projectId}`,
      );
    }
    return call;
  }

  /**
   * Events after a cursor. With `waitMs`, an empty answer waits for the session's Redis
   * channel to announce a later seq (no sleep loop), then reads Postgres again.
   */
  async events(projectId: string, sessionId: string, query: EventsQueryDto): Promise<EventsPage> {
    const { after, limit, waitMs } = query;
    const read = async () => {
      const page = await this.readModel.eventsAfter(projectId, sessionId, after, limit);
      if (!page) throw sessionNotFound(projectId, sessionId);
      return page;
    };
    let page = await read();
    const worthWaiting = () => page.events.length === 0 && !isFinishedStatus(page.status);
    if (waitMs > 0 && worthWaiting()) {
      const announcesNewer = (message: unknown) => (message as CommittedEventsMessage).toSeq > after;
      try {
        await this.subscriber.waitFor(
          sessionChannel(projectId, sessionId),
          announcesNewer,
          waitMs,
          async () => {
            page = await read();
            return !worthWaiting();
          },
        );
      } catch (error) {
        // Redis is down: answer with what Postgres has; the client polls again.
        this.logger.warn(`Long-poll without Redis for ${sessionId}: ${(error as Error).message}`);
      }
      if (worthWaiting()) page = await read();
    }
    const last = page.events.at(-1)?.seq;
    return {
      events: page.events,
      seq: last ?? Math.min(after, page.latestSeq),
      latestSeq: page.latestSeq,
      finished: isFinishedStatus(page.status) && (last ?? after) >= page.latestSeq,
    };
  }

  async cancel(projectId: string, sessionId: string): Promise<{ sessionId: string; status: string }> {
    const session = await this.readModel.getSessionSummary(projectId, sessionId);
    if (!session) throw sessionNotFound(projectId, sessionId);
    if (isFinishedStatus(session.status)) {
      throw new ConflictException(`Build ${sessionId} has already finished (${session.status})`);
    }
    if (session.status === 'queued' && (await this.removeWaitingJob(sessionId))) {
      await this.finishCancelled(sessionId, 'Cancelled before it started');
      return { sessionId, status: 'cancelled' };
    }
    // Running (or just picked up): the worker that owns it stops the agent and records it.
    await this.cancelRequests.request(sessionId);
    return { sessionId, status: 'cancelling' };
  }

  /** True when the job was still waiting and is now gone; false when a worker holds it. */
  private async removeWaitingJob(sessionId: string): Promise<boolean> {
    const job = await this.queue.getJob(sessionId);
    if (!job) return false;
    try {
      await job.remove();
      return true;
    } catch {
      return false; // locked by a worker that just started it
    }
  }

  private async finishCancelled(sessionId: string, error: string): Promise<void> {
    try {
      const appended = await this.eventStore.append(sessionId, [
        { type: 'session.finished', data: { status: 'cancelled', error } },
      ]);
      await this.publisher.publishCommitted(appended);
    } catch (failure) {
      if (failure instanceof SessionClosedError)
        throw new ConflictException(`Build ${sessionId} has already finished`);
      throw failure;
    }
  }
}

function sessionNotFound(projectId: string, sessionId: string): NotFoundException {
  return new NotFoundException(`Build ${sessionId} not found in project ${projectId}`);
}

/** A replay needs at least one JSON object line; otherwise it could only fail later. */
function assertHasJsonLines(transcript: string): void {
  for (const line of transcript.split('\n')) {
    const text = line.trim();
    if (!text.startsWith('{')) continue;
    try {
      JSON.parse(text);
      return;
    } catch {
      continue;
    }
  }
  throw new BadRequestException(['transcript must hold NDJSON: one JSON object per line']);
}
