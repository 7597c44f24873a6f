import {
  Body,
  Controller,
  ForbiddenException,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiNotModifiedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { EventsPage, SessionSummary, StartBuildResponse, ToolCallDetail } from '#contracts';
import {
  EventsQueryDto,
  ListBuildsQueryDto,
  ProjectParamsDto,
  SessionParamsDto,
  StartBuildDto,
  ToolCallParamsDto,
} from '#contracts/dto';
import { hasScope, scopeToStart, type Principal } from '#identity';
import { CurrentPrincipal, Requires } from '../identity/access.decorators.js';
import { LongPolls } from '../limits/long-polls.js';
import { CountsAsBuildStart } from '../limits/throttlers.js';
import { BuildsService, sessionNotFound } from './builds.service.js';
import { matchesIfNoneMatch, SNAPSHOT_VARY, snapshotCacheControl } from './snapshots/snapshot-http.js';
import { SnapshotResponses, type SnapshotValidator } from './snapshots/snapshot-responses.js';
import { ApiErrors, BODY_ERRORS, GUARDED_ERRORS } from '../openapi/api-errors.js';
import {
  CancelBuildResponse,
  EventsPageResponse,
  SessionSummaryResponse,
  SnapshotResponse,
  StartBuildResponseBody,
  ToolCallDetailResponse,
} from '../openapi/builds.responses.js';

@ApiTags('builds')
@ApiBearerAuth()
@Controller('projects/:projectId/builds')
@Requires('builds:read')
@ApiErrors(...GUARDED_ERRORS, 400, 404)
export class BuildsController {
  constructor(
    private readonly builds: BuildsService,
    private readonly snapshots: SnapshotResponses,
    private readonly longPolls: LongPolls,
  ) {}

  /** Live agents run a process on the worker host: only `agents:run` starts them. */
  @Post()
  @Requires('builds:write', 'agents:run')
  @HttpCode(HttpStatus.ACCEPTED)
  @CountsAsBuildStart()
  @ApiAcceptedResponse({ type: StartBuildResponseBody, description: 'queued; a runner-worker takes it' })
  @ApiErrors(...BODY_ERRORS, [403, 'the credential lacks builds:write, or agents:run for a live agent'])
  start(
    @Param() { projectId }: ProjectParamsDto,
    @Body() body: StartBuildDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<StartBuildResponse> {
    assertMayStart(principal, body);
    return this.builds.start(projectId, body, principal);
  }

  /** A new build from the stored request of this one (the web app's "Run again"). */
  @Post(':sessionId/run-again')
  @Requires('builds:write', 'agents:run')
  @HttpCode(HttpStatus.ACCEPTED)
  @CountsAsBuildStart()
  @ApiOperation({
    summary: 'Start a new build with the same request (agent, transcript, pacing, prompt, model)',
  })
  @ApiAcceptedResponse({ type: StartBuildResponseBody, description: 'queued; a runner-worker takes it' })
  @ApiErrors([403, 'the credential lacks builds:write, or agents:run for a live agent'])
  async runAgain(
    @Param() { projectId, sessionId }: SessionParamsDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<StartBuildResponse> {
    const request = await this.builds.storedRequest(projectId, sessionId);
    assertMayStart(principal, request);
    return this.builds.start(projectId, request, principal);
  }

  /** Newest first, a page at a time (`limit`, and `before`: the last id of the previous page). */
  @Get()
  @ApiOkResponse({ type: [SessionSummaryResponse], description: 'newest first' })
  list(
    @Param() { projectId }: ProjectParamsDto,
    @Query() query: ListBuildsQueryDto,
  ): Promise<SessionSummary[]> {
    return this.builds.list(projectId, query);
  }

  /**
   * The Snapshot of libs/contracts, with a validator (ETag, 304
   * on If-None-Match) and compressed as the client accepts. See SnapshotResponses.
   */
  @Get(':sessionId')
  @ApiOperation({
    summary: 'The build as of its latest seq',
    description:
      'Tool-call outputs are previews of SNAPSHOT_PREVIEW_CHARS characters (outputTruncated: true ' +
      'when shortened; the whole text at …/tool-calls/:toolCallId). Weak ETag, 304 on If-None-Match; ' +
      'a finished build is `Cache-Control: private, max-age=86400, immutable`, a running one `no-cache`. ' +
      'br or gzip when accepted.',
  })
  @ApiOkResponse({
    type: SnapshotResponse,
    description:
      'the snapshot: { seq, session, todos, toolCalls, messages }; a tool call is running, succeeded, failed ' +
      'or aborted (the session finished before its result, endedAt = the session end); messages are the ' +
      "agent's message events { seq, role, text, at } in seq order, placed among the calls by their startedSeq",
  })
  @ApiNotModifiedResponse({ description: 'If-None-Match names the current ETag: no body' })
  @ApiErrors([404, 'unknown project or build'])
  async snapshot(
    @Param() { projectId, sessionId }: SessionParamsDto,
    @Req() request: Request,
    @Res() response: Response,
  ): Promise<void> {
    const current = await this.snapshots.validator(projectId, sessionId);
    if (!current) throw sessionNotFound(projectId, sessionId);
    setSnapshotValidator(response, current);
    if (matchesIfNoneMatch(request.headers['if-none-match'], current.etag)) {
      response.status(HttpStatus.NOT_MODIFIED).end();
      return;
    }
    const body = await this.snapshots.body(projectId, sessionId, current, request.acceptsEncodings());
    if (!body) throw sessionNotFound(projectId, sessionId);
    setSnapshotValidator(response, body); // it may be newer than `current`
    response.setHeader('content-type', 'application/json; charset=utf-8');
    if (body.encoding !== 'identity') response.setHeader('content-encoding', body.encoding);
    response.setHeader('content-length', body.length);
    // Corked: the parts leave in one write; end() uncorks.
    response.cork();
    for (const chunk of body.chunks) response.write(chunk);
    response.end();
  }

  @Get(':sessionId/events')
  @ApiOkResponse({ type: EventsPageResponse })
  @ApiErrors([429, 'a rate limit, or LONG_POLLS_PER_KEY long-polls already waiting with this credential'])
  events(
    @Param() { projectId, sessionId }: SessionParamsDto,
    @Query() query: EventsQueryDto,
    @Req() request: Request,
    @Res({ passthrough: true }) response: Response,
  ): Promise<EventsPage> {
    return this.longPolls.run(request, response, query.waitMs, () =>
      this.builds.events(projectId, sessionId, query),
    );
  }

  @Get(':sessionId/tool-calls/:toolCallId')
  @ApiOperation({
    summary: 'One tool call with its full output',
    description:
      'Events and snapshots carry outputs over TOOL_OUTPUT_MAX_BYTES shortened (outputTruncated: true); ' +
      'here `output` is the whole text and `outputBytes` its UTF-8 size.',
  })
  @ApiOkResponse({
    description: 'the ToolCallView of the snapshot, with the full output and outputBytes',
    type: ToolCallDetailResponse,
  })
  @ApiErrors([404, 'unknown project, build or tool call id'])
  toolCall(@Param() { projectId, sessionId, toolCallId }: ToolCallParamsDto): Promise<ToolCallDetail> {
    return this.builds.toolCall(projectId, sessionId, toolCallId);
  }

  @Post(':sessionId/cancel')
  @Requires('builds:write')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiAcceptedResponse({ type: CancelBuildResponse })
  @ApiErrors([409, 'the build has already finished'])
  cancel(
    @Param() { projectId, sessionId }: SessionParamsDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<{ sessionId: string; status: string }> {
    return this.builds.cancel(projectId, sessionId, principal);
  }
}

function setSnapshotValidator(response: Response, { etag, finished }: Pick<SnapshotValidator, 'etag' | 'finished'>): void {
  response.setHeader('etag', etag);
  response.setHeader('cache-control', snapshotCacheControl(finished));
  response.setHeader('vary', SNAPSHOT_VARY);
}

/** Live agents run a process on the worker host: only `agents:run` starts them. */
function assertMayStart(principal: Principal, request: StartBuildDto): void {
  const needed = scopeToStart(request.agent);
  if (!hasScope(principal.scopes, needed)) {
    throw new ForbiddenException(`agent: starting a ${request.agent} build needs the ${needed} scope`);
  }
}
