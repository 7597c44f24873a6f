import {
  Body,
  Controller,
  ForbiddenException,
  Get,
  Header,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Query,
  Req,
  Res,
} from '@nestjs/common';
import type { Request, Response } from 'express';
import { ApiBearerAuth, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
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
import { BuildsService } from './builds.service.js';

@ApiTags('builds')
@ApiBearerAuth()
@Controller('projects/:projectId/builds')
@Requires('builds:read')
export class BuildsController {
  constructor(
    private readonly builds: BuildsService,
    private readonly longPolls: LongPolls,
  ) {}

  /** Live agents run a process on the worker host: only `agents:run` starts them. */
  @Post()
  @Requires('builds:write', 'agents:run')
  @HttpCode(HttpStatus.ACCEPTED)
  @CountsAsBuildStart()
  start(
    @Param() { projectId }: ProjectParamsDto,
    @Body() body: StartBuildDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<StartBuildResponse> {
    const needed = scopeToStart(body.agent);
    if (!hasScope(principal.scopes, needed)) {
      throw new ForbiddenException(`agent: starting a ${body.agent} build needs the ${needed} scope`);
    }
    return this.builds.start(projectId, body, principal);
  }

  @Get()
  list(
    @Param() { projectId }: ProjectParamsDto,
    @Query() query: ListBuildsQueryDto,
  ): Promise<SessionSummary[]> {
    return this.builds.list(projectId, query.limit);
  }

  /** The Snapshot of libs/contracts, sent as Postgres built it. */
  @Get(':sessionId')
  @ApiOkResponse({
    description:
      'the snapshot: { seq, session, todos, toolCalls, messages }; a tool call is running, succeeded, failed ' +
      'or aborted (the session finished before its result, endedAt = the session end); messages are the ' +
      "agent's message events { seq, role, text, at } in seq order, placed among the calls by their startedSeq",
  })
  @ApiNotFoundResponse({ description: 'unknown project or build' })
  @Header('content-type', 'application/json; charset=utf-8')
  snapshot(@Param() { projectId, sessionId }: SessionParamsDto): Promise<string> {
    return this.builds.snapshotJson(projectId, sessionId);
  }

  @Get(':sessionId/events')
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
  @ApiOkResponse({ description: 'the ToolCallView of the snapshot, with the full output and outputBytes' })
  @ApiNotFoundResponse({ description: 'unknown project, build or tool call id' })
  toolCall(@Param() { projectId, sessionId, toolCallId }: ToolCallParamsDto): Promise<ToolCallDetail> {
    return this.builds.toolCall(projectId, sessionId, toolCallId);
  }

  @Post(':sessionId/cancel')
  @Requires('builds:write')
  @HttpCode(HttpStatus.ACCEPTED)
  cancel(
    @Param() { projectId, sessionId }: SessionParamsDto,
    @CurrentPrincipal() principal: Principal,
  ): Promise<{ sessionId: string; status: string }> {
    return this.builds.cancel(projectId, sessionId, principal);
  }
}
