// The answers of the builds routes, described for OpenAPI. Each class implements its
// contract type, so the compiler keeps the two in step; test/e2e/openapi.test.ts checks
// real answers against the schemas generated from them.
import { ApiProperty, ApiSchema } from '@nestjs/swagger';
import {
  AGENT_KINDS,
  BUILD_AUDIT_ACTIONS,
  BUILD_EVENT_SCHEMA,
  SESSION_STATUSES,
  TODO_STATUSES,
  type AgentKind,
  type BuildAuditAction,
  type BuildAuditEntry,
  type BuildEvent,
  type EventsPage,
  type Progress,
  type SessionStatus,
  type SessionSummary,
  type SessionView,
  type MessageView,
  type Snapshot,
  type SnapshotSession,
  type StartBuildResponse,
  type TodoStatus,
  type TodoView,
  type ToolCallDetail,
  type ToolCallStatus,
  type ToolCallView,
} from '#contracts';
import { toOpenApi30 } from './openapi-30-schema.js';
import type { BuildsService } from '../builds/builds.service.js';
import type { Exactly } from './exactly.js';

const dateTime = { type: String, format: 'date-time' } as const;
const nullableDateTime = { ...dateTime, nullable: true } as const;
const nullableString = { type: String, nullable: true } as const;
const uuid = { type: String, format: 'uuid' } as const;

@ApiSchema({ name: 'Progress' })
export class ProgressResponse implements Exactly<Progress, ProgressResponse> {
  @ApiProperty({ type: 'integer', minimum: 0 })
  completed!: number;

  @ApiProperty({ type: 'integer', minimum: 0 })
  total!: number;

  @ApiProperty({ type: 'integer', minimum: 0, maximum: 100, description: 'exactly 100 once completed' })
  percent!: number;
}

@ApiSchema({ name: 'SessionView' })
export class SessionViewResponse implements Exactly<SessionView, SessionViewResponse> {
  @ApiProperty(uuid)
  id!: string;

  @ApiProperty(uuid)
  projectId!: string;

  @ApiProperty({ enum: SESSION_STATUSES })
  status!: SessionStatus;

  @ApiProperty({ enum: AGENT_KINDS, description: 'the runner kind the build was started with' })
  agent!: AgentKind;

  @ApiProperty({ example: 'claude-code', description: 'the agent shown to people' })
  agentId!: string;

  @ApiProperty(nullableString)
  model!: string | null;

  @ApiProperty()
  projectName!: string;

  @ApiProperty(nullableString)
  prompt!: string | null;

  @ApiProperty(dateTime)
  createdAt!: string;

  @ApiProperty(nullableDateTime)
  startedAt!: string | null;

  @ApiProperty(nullableDateTime)
  endedAt!: string | null;

  @ApiProperty(nullableString)
  error!: string | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'token usage reported by the agent',
  })
  usage!: Record<string, unknown> | null;

  @ApiProperty({ type: ProgressResponse })
  progress!: Progress;
}

@ApiSchema({ name: 'SessionSummary' })
export class SessionSummaryResponse
  extends SessionViewResponse
  implements Exactly<SessionSummary, SessionSummaryResponse>
{
  @ApiProperty({ type: 'integer', minimum: 0, description: 'the latest committed seq' })
  seq!: number;
}

@ApiSchema({ name: 'BuildAuditEntry' })
export class BuildAuditEntryResponse implements Exactly<BuildAuditEntry, BuildAuditEntryResponse> {
  @ApiProperty({ enum: BUILD_AUDIT_ACTIONS })
  action!: BuildAuditAction;

  @ApiProperty()
  keyName!: string;

  @ApiProperty({ ...nullableString, description: 'the key’s shown prefix; null for BUILDCAST_ADMIN_KEY' })
  keyPrefix!: string | null;

  @ApiProperty(dateTime)
  at!: string;
}

@ApiSchema({ name: 'SnapshotSession' })
export class SnapshotSessionResponse
  extends SessionViewResponse
  implements Exactly<SnapshotSession, SnapshotSessionResponse>
{
  @ApiProperty({ type: [BuildAuditEntryResponse], description: 'who started and cancelled it, oldest first' })
  audit!: BuildAuditEntry[];
}

@ApiSchema({ name: 'Todo' })
export class TodoResponse implements Exactly<TodoView, TodoResponse> {
  @ApiProperty({ type: 'integer', minimum: 0 })
  index!: number;

  @ApiProperty()
  content!: string;

  @ApiProperty()
  activeForm!: string;

  @ApiProperty({ enum: TODO_STATUSES })
  status!: TodoStatus;
}

const TOOL_CALL_STATUSES = ['running', 'succeeded', 'failed', 'aborted'] as const satisfies ToolCallStatus[];

@ApiSchema({ name: 'ToolCall' })
export class ToolCallResponse implements Exactly<ToolCallView, ToolCallResponse> {
  @ApiProperty({ description: 'the toolCallId of its tool.started event' })
  id!: string;

  @ApiProperty({ type: 'integer', minimum: 0, nullable: true })
  todoIndex!: number | null;

  @ApiProperty({ ...nullableString, description: 'the sub-agent call this call was made in' })
  parentToolCallId!: string | null;

  @ApiProperty()
  name!: string;

  // Any JSON value. Nest would write `type: object` for `unknown`; with a combinator and
  // `type: Array` it writes no type at all (OpenAPI 3.0 has no "any" type to name).
  @ApiProperty({
    type: Array,
    anyOf: [
      { type: 'object', nullable: true },
      { type: 'array', items: {} },
      { type: 'string' },
      { type: 'number' },
      { type: 'boolean' },
    ],
    description: 'the tool’s input, as the agent gave it (any JSON)',
  })
  input!: unknown;

  @ApiProperty({
    ...nullableString,
    description: 'in a snapshot, its first SNAPSHOT_PREVIEW_CHARS characters',
  })
  output!: string | null;

  @ApiProperty()
  isError!: boolean;

  @ApiProperty({ description: 'the output here is shortened; …/tool-calls/:toolCallId has it whole' })
  outputTruncated!: boolean;

  @ApiProperty({ enum: TOOL_CALL_STATUSES })
  status!: ToolCallStatus;

  @ApiProperty(dateTime)
  startedAt!: string;

  @ApiProperty(nullableDateTime)
  endedAt!: string | null;

  @ApiProperty({ type: 'integer', minimum: 1, description: 'the seq of its tool.started event' })
  startedSeq!: number;
}

@ApiSchema({ name: 'Message' })
export class MessageResponse implements Exactly<MessageView, MessageResponse> {
  @ApiProperty({ type: 'integer', minimum: 1 })
  seq!: number;

  @ApiProperty({ enum: ['assistant'] })
  role!: 'assistant';

  @ApiProperty({ description: 'Markdown, as the agent wrote it' })
  text!: string;

  @ApiProperty(dateTime)
  at!: string;
}

@ApiSchema({ name: 'ToolCallDetail' })
export class ToolCallDetailResponse
  extends ToolCallResponse
  implements Exactly<ToolCallDetail, ToolCallDetailResponse>
{
  @ApiProperty({ type: 'integer', minimum: 0, description: 'UTF-8 size of the full output' })
  outputBytes!: number;
}

@ApiSchema({ name: 'Snapshot' })
export class SnapshotResponse implements Exactly<Snapshot, SnapshotResponse> {
  @ApiProperty({ type: 'integer', minimum: 0, description: 'the last event this snapshot reflects' })
  seq!: number;

  @ApiProperty({ type: SnapshotSessionResponse })
  session!: SnapshotSession;

  @ApiProperty({ type: [TodoResponse] })
  todos!: TodoView[];

  @ApiProperty({ type: [ToolCallResponse] })
  toolCalls!: ToolCallView[];

  @ApiProperty({ type: [MessageResponse], description: "the agent's messages, in seq order" })
  messages!: MessageView[];
}

@ApiSchema({ name: 'StartedBuild' })
export class StartBuildResponseBody implements Exactly<StartBuildResponse, StartBuildResponseBody> {
  @ApiProperty(uuid)
  sessionId!: string;

  @ApiProperty(uuid)
  projectId!: string;

  @ApiProperty({
    enum: ['queued', 'running'],
    description: 'running for agent external: its caller feeds it',
  })
  status!: 'queued' | 'running';
}

/** What BuildsService.cancel answers (the contract has no name for it). */
type CancelAnswer = Awaited<ReturnType<BuildsService['cancel']>>;

/** `POST …/cancel`: ended here (`cancelled`), or asked of the runner-worker holding it (`cancelling`). */
@ApiSchema({ name: 'CancelledBuild' })
export class CancelBuildResponse implements Exactly<CancelAnswer, CancelBuildResponse> {
  @ApiProperty(uuid)
  sessionId!: string;

  @ApiProperty({ enum: ['cancelled', 'cancelling'] })
  status!: string;
}

@ApiSchema({ name: 'EventsPage' })
export class EventsPageResponse implements Exactly<EventsPage, EventsPageResponse> {
  @ApiProperty({
    type: 'array',
    items: toOpenApi30(BUILD_EVENT_SCHEMA),
    description: 'events with seq > after, in order',
  })
  events!: BuildEvent[];

  @ApiProperty({ type: 'integer', minimum: 0, description: 'the cursor to pass as the next `after`' })
  seq!: number;

  @ApiProperty({ type: 'integer', minimum: 0, description: 'the latest committed seq' })
  latestSeq!: number;

  @ApiProperty({ description: 'session.finished is committed and returned (or before `after`)' })
  finished!: boolean;
}
