import type { BuildEvent, FinishedStatus, SessionStatus, TodoStatus } from './events.js';

export interface Progress {
  completed: number;
  total: number;
  /** 0–100; exactly 100 once the session has completed. */
  percent: number;
}

/**
 * The kind of runner that produced a build (what the start-build request asked for).
 * `external`: a runner that Buildcast does not start feeds the session (`POST …/events`).
 */
export const AGENT_KINDS = ['demo', 'replay', 'claude-code', 'codex', 'command', 'external'] as const;
export type AgentKind = (typeof AGENT_KINDS)[number];

export const TRANSCRIPT_FORMATS = [
  'claude-stream-json',
  'claude-session-log',
  'codex-json',
  'buildcast-ndjson',
] as const;
export type TranscriptFormat = (typeof TRANSCRIPT_FORMATS)[number];

/** Agents that run a process on the runner-worker, and the format of what they print. */
export const LIVE_AGENT_FORMATS = {
  'claude-code': 'claude-stream-json',
  codex: 'codex-json',
  command: 'buildcast-ndjson',
} as const satisfies Record<string, TranscriptFormat>;
export type LiveAgentKind = keyof typeof LIVE_AGENT_FORMATS;

export function isLiveAgent(agent: AgentKind): agent is LiveAgentKind {
  return Object.hasOwn(LIVE_AGENT_FORMATS, agent);
}

export interface Project {
  id: string;
  name: string;
  createdAt: string;
}

/** `GET /api/projects` lists each project with its newest build (null before the first). */
export interface ProjectListItem extends Project {
  latestBuild: SessionSummary | null;
}

export interface SessionView {
  id: string;
  projectId: string;
  status: SessionStatus;
  /** Extension: the runner kind of the request (`demo`, `replay`, …). */
  agent: AgentKind;
  /** The agent shown to people, e.g. `claude-code` for a replayed Claude Code transcript. */
  agentId: string;
  model: string | null;
  projectName: string;
  prompt: string | null;
  /** Extension: when the build was requested. */
  createdAt: string;
  startedAt: string | null;
  endedAt: string | null;
  error: string | null;
  /** Extension: token usage reported by the agent, if any. */
  usage: Record<string, unknown> | null;
  progress: Progress;
}

/** A session summary as listed per project; `seq` is its latest committed seq. */
export interface SessionSummary extends SessionView {
  seq: number;
}

export interface TodoView {
  index: number;
  content: string;
  activeForm: string;
  status: TodoStatus;
}

/** `aborted`: the session finished before the call got a result (set by the fold, never sent by agents). */
export type ToolCallStatus = 'running' | 'succeeded' | 'failed' | 'aborted';

export interface ToolCallView {
  id: string;
  todoIndex: number | null;
  /** Extension: the sub-agent call this call was made in (its tool.started's parentToolCallId), or null. */
  parentToolCallId: string | null;
  name: string;
  input: unknown;
  output: string | null;
  isError: boolean;
  outputTruncated: boolean;
  status: ToolCallStatus;
  startedAt: string;
  /** For an aborted call, the session's end. */
  endedAt: string | null;
  /** Extension: the seq of its tool.started, which places it among the messages. */
  startedSeq: number;
}

/** Extension: an agent's `message` event, kept for the build's timeline. */
export interface MessageView {
  seq: number;
  role: 'assistant';
  /** Markdown, as the agent wrote it. */
  text: string;
  at: string;
}

/**
 * `GET …/tool-calls/:toolCallId`: the call with its full output. `outputTruncated` says
 * whether the log and the snapshot hold a shortened copy; `output` here is never shortened.
 */
export interface ToolCallDetail extends ToolCallView {
  /** UTF-8 size of the full output. */
  outputBytes: number;
}

/**
 * What a credential did to a build: `started` it (POST …/builds), `cancelled` it (an accepted
 * POST …/cancel), or `appended` events to it (reserved for external runners that feed a
 * build's log over the API). Never a secret: the key's name and its shown prefix only.
 */
export const BUILD_AUDIT_ACTIONS = ['started', 'cancelled', 'appended'] as const;
export type BuildAuditAction = (typeof BUILD_AUDIT_ACTIONS)[number];

export interface BuildAuditEntry {
  action: BuildAuditAction;
  keyName: string;
  /** The key's shown prefix (`bc_ab12cd34`); null for BUILDCAST_ADMIN_KEY. */
  keyPrefix: string | null;
  at: string;
}

/** Extension: the snapshot's session also says who started and cancelled it, oldest first. */
export interface SnapshotSession extends SessionView {
  audit: BuildAuditEntry[];
}

/** The state of a session as of event `seq` (read in one transaction). */
export interface Snapshot {
  seq: number;
  session: SnapshotSession;
  todos: TodoView[];
  toolCalls: ToolCallView[];
  /** The agent's messages in seq order. */
  messages: MessageView[];
}

export interface StartBuildResponse {
  sessionId: string;
  projectId: string;
  /** `running` for agent `external`: its caller feeds it (`POST …/events`). */
  status: 'queued' | 'running';
}

/** `GET …/events`: `seq` is the cursor to pass as the next `after`. */
export interface EventsPage {
  events: BuildEvent[];
  /** The seq of the last returned event, or the latest committed seq when none was returned. */
  seq: number;
  /** Extension: the latest committed seq of the session. */
  latestSeq: number;
  /** Extension: true once `session.finished` is committed and returned or before `after`. */
  finished: boolean;
}

export type { FinishedStatus };

/** The agent people see for a build: a replayed Claude Code transcript is still Claude Code; a live one is its kind. */
export function agentIdFor(agent: AgentKind, format?: TranscriptFormat): string {
  if (agent !== 'replay') return agent;
  switch (format) {
    case 'claude-stream-json':
    case 'claude-session-log':
      return 'claude-code';
    case 'codex-json':
      return 'codex';
    default:
      return 'replay';
  }
}
