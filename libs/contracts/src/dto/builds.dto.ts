import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsNotEmpty,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { ListPageQueryDto, SessionParamsDto } from './projects.dto.js';
import { AGENT_KINDS, TRANSCRIPT_FORMATS, type AgentKind, type TranscriptFormat } from '../snapshot.js';

/** Transcripts are stored in Postgres with the session; the HTTP body limit (MAX_BODY_BYTES) caps them first. */
export const MAX_TRANSCRIPT_CHARS = 20_000_000;
export const MAX_EVENT_INTERVAL_MS = 60_000;
/** A replay's pause between played lines when `eventIntervalMs` is not given. */
export const DEFAULT_REPLAY_INTERVAL_MS = 20;
/** The largest seq: build_events.seq and build_sessions.last_seq are Postgres `integer`s. */
export const MAX_SEQ = 2_147_483_647;

export class StartBuildDto {
  @ApiProperty({ enum: AGENT_KINDS, example: 'demo' })
  @IsIn(AGENT_KINDS)
  agent!: AgentKind;

  @ApiPropertyOptional({ enum: TRANSCRIPT_FORMATS, description: 'required when agent is "replay"' })
  @ValidateIf((body: StartBuildDto) => body.agent === 'replay' || body.format !== undefined)
  @IsIn(TRANSCRIPT_FORMATS)
  format?: TranscriptFormat;

  @ApiPropertyOptional({ description: 'NDJSON text, required when agent is "replay"' })
  @ValidateIf((body: StartBuildDto) => body.agent === 'replay' || body.transcript !== undefined)
  @IsString()
  @IsNotEmpty()
  @MaxLength(MAX_TRANSCRIPT_CHARS)
  transcript?: string;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: MAX_EVENT_INTERVAL_MS,
    description:
      'pause between played transcript lines (default 20), or the average pause between demo steps; ' +
      'the whole pacing must fit in REPLAY_MAX_MS',
  })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_EVENT_INTERVAL_MS)
  eventIntervalMs?: number;

  @ApiPropertyOptional({ maxLength: 10_000, description: 'required when agent is "claude-code" or "codex"' })
  @ValidateIf(
    (body: StartBuildDto) =>
      body.agent === 'claude-code' || body.agent === 'codex' || body.prompt !== undefined,
  )
  @IsString()
  @IsNotEmpty()
  @MaxLength(10_000)
  prompt?: string;

  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  model?: string;

  @ApiPropertyOptional({
    maxLength: 200,
    description: 'agent "external" only: the agent people see (default "external")',
  })
  @IsOptional()
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  agentId?: string;
}

/** A job payload: ids only (the request itself is in Postgres); the worker validates it. */
export class BuildJobDto {
  @IsUUID('all')
  sessionId!: string;

  @IsUUID('all')
  projectId!: string;
}

export class ToolCallParamsDto extends SessionParamsDto {
  @ApiProperty({ description: 'the toolCallId of its tool.started event' })
  @IsString()
  @MaxLength(500)
  toolCallId!: string;
}

export class EventsQueryDto {
  @ApiPropertyOptional({
    minimum: 0,
    maximum: MAX_SEQ,
    default: 0,
    description: 'return events with seq > after',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(MAX_SEQ)
  after: number = 0;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 500 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit: number = 500;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: 30000,
    description: 'long-poll up to this long for a first event',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(30000)
  waitMs: number = 0;
}

export class ListBuildsQueryDto extends ListPageQueryDto {}

/** `POST …/events?format=`: the transcript format of an `application/x-ndjson` body. */
export class IngestQueryDto {
  @ApiPropertyOptional({
    enum: TRANSCRIPT_FORMATS,
    description: 'required with an application/x-ndjson body',
  })
  @IsOptional()
  @IsIn(TRANSCRIPT_FORMATS)
  format?: TranscriptFormat;
}
