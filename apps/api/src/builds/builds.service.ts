import {
  BadRequestException,
  ConflictException,
  Injectable,
  Logger,
  NotFoundException,
} from '@nestjs/common';
import {
  agentIdFor,
  buildLane,
  isFinishedStatus,
  isLiveAgent,
  sessionChannel,
  type CommittedEventsNotice,
  type EventsPage,
  type SessionSummary,
  type StartBuildResponse,
  type ToolCallDetail,
} from '#contracts';
import { AppConfig, resolveAgent } from '#config';
import type { EventsQueryDto, ListBuildsQueryDto, StartBuildDto } from '#contracts/dto';
import { BuildLog, BuildQueue, CancelRequests, ChannelSubscriber, EventPublisher } from '#bus';
import {
  BuildReadModel,
  LeaseHeldError,
  SessionClosedError,
  type AuditActor,
  type AuditRecord,
} from '#persistence';
import { assertPacingFits } from './replay-limit.js';
import { assertReplayableTranscript } from './transcript-lines.js';

@Injectable()
export class BuildsService {
  private readonly logger = new Logger(BuildsService.name);

  constructor(
    private readonly readModel: BuildReadModel,
    private readonly log: BuildLog,
    private readonly publisher: EventPublisher,
    private readonly subscriber: ChannelSubscriber,
    private readonly cancelRequests: CancelRequests,
    private readonly config: AppConfig,
    private readonly queue: BuildQueue,
  ) {}

  /** `startedBy` (the request's credential) is kept with the session as its `started` audit entry. */
  async start(projectId: string, body: StartBuildDto, startedBy: AuditActor): Promise<StartBuildResponse> {
    if (body.agent === 'replay') {
      assertReplayableTranscript(body.transcript ?? '', this.config.limits.transcriptMaxLines);
    }
    if (body.agentId !== undefined && body.agent !== 'external') {
      throw new BadRequestException(['agentId is only for agent "external"']);
    }
    if (body.agent === 'external') return this.startExternal(projectId, body, startedBy);
    assertPacingFits(body, this.config.replayMaxMs);
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
      startedBy,
    });
    if (!session) throw new NotFoundException(`Project ${projectId} not found`);
    // The build is accepted once it is in Postgres: if the queue is unreachable now, the
    // runner-workers find it later (the queued-session sweeper, or their next look).
    await this.queue.enqueue({ sessionId: session.id, projectId }, buildLane(body.agent));
    this.announce(session);
    return { sessionId: session.id, projectId, status: 'queued' };
  }

  /**
   * A session its caller feeds (`POST …/events`): created running with a lease of
   * INTERRUPT_AFTER_MS that each append extends; nothing is queued.
   */
  private async startExternal(
    projectId: string,
    body: StartBuildDto,
    startedBy: AuditActor,
  ): Promise<StartBuildResponse> {
    const session = await this.readModel.createQueuedSession({
      projectId,
      agent: 'external',
      agentId: body.agentId ?? 'external',
      model: body.model ?? null,
      prompt: body.prompt ?? null,
      startedBy,
      external: { leaseMs: this.config.interruptAfterMs },
    });
    if (!session) throw new NotFoundException(`Project ${projectId} not found`);
    this.announce(session);
    return { sessionId: session.id, projectId, status: 'running' };
  }

  private announce(session: SessionSummary): void {
    this.publisher
      .publishSummary(session)
      .catch((error: Error) => this.logger.warn(`Could not announce build ${session.id}: ${error.message}`));
  }

  async list(projectId: string, { limit, before }: ListBuildsQueryDto): Promise<SessionSummary[]> {
    if (!(await this.readModel.getProject(projectId)))
      throw new NotFoundException(`Project ${projectId} not found`);
    // An unknown cursor would silently answer an empty page, as if the list had ended.
    if (before !== undefined && !(await this.readModel.getSessionSummary(projectId, before))) {
      throw new BadRequestException([`before: no build ${before} in project ${projectId}`]);
    }
    return this.readModel.listSessions(projectId, limit, before);
  }

  /** The request a build was started with (its agent, transcript, pacing, prompt, model). */
  async storedRequest(projectId: string, sessionId: string): Promise<StartBuildDto> {
    const session = await this.readModel.getSessionSummary(projectId, sessionId);
    if (!session) throw sessionNotFound(projectId, sessionId);
    const request = await this.readModel.getBuildRequest(sessionId);
    if (!request) throw new ConflictException(`Build ${sessionId} has no stored request to run again`);
    return {
      ...request,
      prompt: session.prompt ?? undefined,
      model: session.model ?? undefined,
    };
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
   * Events after a cursor. With `waitMs`, an empty answer waits for the session's channel
   * to announce a later seq (no sleep loop), then reads Postgres again.
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
      const announcesNewer = (message: unknown) => (message as CommittedEventsNotice).toSeq > after;
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
        // The transport is down: answer with what Postgres has; the client polls again.
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

  /**
   * Ends the build `cancelled` here when no live runner-worker holds it (waiting in the queue,
   * its job lost, or its worker dead, stuck or unable to write: no lease, or an expired one,
   * checked under the session's row lock); otherwise asks the worker holding it to stop it.
   * An accepted cancel is kept with the session as a `cancelled` audit entry of `cancelledBy`.
   */
  async cancel(
    projectId: string,
    sessionId: string,
    cancelledBy: AuditActor,
  ): Promise<{ sessionId: string; status: string }> {
    const audit = { action: 'cancelled', actor: cancelledBy } as const;
    const session = await this.readModel.getSessionSummary(projectId, sessionId);
    if (!session) throw sessionNotFound(projectId, sessionId);
    if (isFinishedStatus(session.status)) {
      throw new ConflictException(`Build ${sessionId} has already finished (${session.status})`);
    }
    const error =
      session.agent === 'external'
        ? 'Cancelled by request'
        : session.status === 'queued'
          ? 'Cancelled before it started'
          : 'Cancelled by request; its runner-worker had stopped responding';
    // No runner-worker holds an external session: its lease is only its last append.
    if (await this.finishCancelledIfUnheld(sessionId, error, audit, session.agent === 'external')) {
      return { sessionId, status: 'cancelled' };
    }
    // A live worker holds it: it stops the agent and records `cancelled` (or its sweeper does,
    // should that worker stop responding before it could). The audit entry goes first, so
    // that it is there once the build shows `cancelled`; it is taken back if the request fails.
    const entry = await this.readModel.recordAudit(sessionId, audit);
    if (entry === null) throw new ConflictException(`Build ${sessionId} has already finished`);
    try {
      // Without its transport the request cannot reach the worker: 503 (DependencyUnavailableFilter).
      await this.cancelRequests.request(sessionId);
    } catch (failure) {
      await this.readModel
        .removeAudit(entry)
        .catch((error: Error) => this.logger.warn(`Audit entry ${entry} not taken back: ${error.message}`));
      throw failure;
    }
    return { sessionId, status: 'cancelling' };
  }

  /**
   * Appends `session.finished` cancelled, with its audit entry, unless a live worker holds
   * the session (false then).
   */
  private async finishCancelledIfUnheld(
    sessionId: string,
    error: string,
    audit: AuditRecord,
    external: boolean,
  ): Promise<boolean> {
    try {
      await this.log.append(sessionId, [{ type: 'session.finished', data: { status: 'cancelled', error } }], {
        onlyIfUnheld: !external,
        audit,
      });
    } catch (failure) {
      if (failure instanceof LeaseHeldError) return false;
      if (failure instanceof SessionClosedError) {
        throw new ConflictException(`Build ${sessionId} has already finished`);
      }
      throw failure;
    }
    // Committed (and announced): removing its job is tidying up, never an error answer. A job
    // left in the queue would find its session finished and be dropped; removing it saves that.
    void this.queue.remove(sessionId);
    return true;
  }
}

export function sessionNotFound(projectId: string, sessionId: string): NotFoundException {
  return new NotFoundException(`Build ${sessionId} not found in project ${projectId}`);
}
