import {
  computeProgress,
  type AgentKind,
  type Progress,
  type Project,
  type SessionStatus,
  type SessionSummary,
  type SessionView,
} from '#contracts';

/**
 * Timestamps leave Postgres as ISO-8601 strings in UTC with milliseconds, exactly like
 * `Date.prototype.toISOString()`, so no row pays for a JS Date and every reader agrees.
 */
export function iso(column: string): string {
  return `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/** The columns of a session summary, from a table or CTE aliased `s`. */
export const SESSION_COLUMNS = `s.id, s.project_id, s.status, s.agent, s.agent_id, s.model, s.project_name, s.prompt,
  ${iso('s.created_at')} AS created_at, ${iso('s.started_at')} AS started_at, ${iso('s.ended_at')} AS ended_at,
  s.error, s.usage, s.progress_completed, s.progress_total, s.last_seq`;

export interface SessionRow {
  id: string;
  project_id: string;
  status: SessionStatus;
  agent: AgentKind;
  agent_id: string;
  model: string | null;
  project_name: string;
  prompt: string | null;
  created_at: string;
  started_at: string | null;
  ended_at: string | null;
  error: string | null;
  usage: Record<string, unknown> | null;
  progress_completed: number;
  progress_total: number;
  last_seq: number;
}

// Column aliases are the view's field names: row_to_json of these rows is the view itself.
export const TODO_VIEW_COLUMNS = `t.idx AS "index", t.content, t.active_form AS "activeForm", t.status`;

export const TOOL_CALL_VIEW_COLUMNS = toolCallViewColumns('c.output', 'c.output_truncated');

/**
 * The tool-call view with `output` a preview: at most `limit` characters (an SQL int
 * expression; 0 keeps the whole stored output). A shortened one says `outputTruncated`.
 */
export function toolCallPreviewColumns(limit: string): string {
  const longer = `(${limit} > 0 AND coalesce(char_length(c.output), 0) > ${limit})`;
  return toolCallViewColumns(
    `CASE WHEN ${longer} THEN left(c.output, ${limit}) ELSE c.output END`,
    `(c.output_truncated OR ${longer})`,
  );
}

function toolCallViewColumns(output: string, outputTruncated: string): string {
  return `c.tool_call_id AS "id", c.todo_index AS "todoIndex",
  c.parent_tool_call_id AS "parentToolCallId", c.name, c.input, ${output} AS "output",
  c.is_error AS "isError", ${outputTruncated} AS "outputTruncated", c.status,
  ${iso('c.started_at')} AS "startedAt", ${iso('c.ended_at')} AS "endedAt", c.started_seq AS "startedSeq"`;
}

/** The snapshot's messages, from the log (`build_events` aliased `e`). */
export const MESSAGE_VIEW_COLUMNS = `e.seq, e.data->>'role' AS "role", e.data->>'text' AS "text", ${iso('e.at')} AS "at"`;

export const EVENT_COLUMNS = `e.seq, e.type, ${iso('e.at')} AS "at", e.data`;

export interface ProjectRow {
  id: string;
  name: string;
  created_at: string;
}

export const PROJECT_COLUMNS = `p.id, p.name, ${iso('p.created_at')} AS created_at`;

export function toProject(row: ProjectRow): Project {
  return { id: row.id, name: row.name, createdAt: row.created_at };
}

export function toSessionView(row: SessionRow): SessionView {
  return {
    id: row.id,
    projectId: row.project_id,
    status: row.status,
    agent: row.agent,
    agentId: row.agent_id,
    model: row.model,
    projectName: row.project_name,
    prompt: row.prompt,
    createdAt: row.created_at,
    startedAt: row.started_at,
    endedAt: row.ended_at,
    error: row.error,
    usage: row.usage,
    progress: storedProgress(row.progress_completed, row.progress_total, row.status),
  };
}

export function toSessionSummary(row: SessionRow): SessionSummary {
  return { ...toSessionView(row), seq: row.last_seq };
}

/** Progress from the stored counts, through the one shared rule (computeProgress). */
export function storedProgress(completed: number, total: number, status: SessionStatus): Progress {
  return computeProgress(placeholderTodos(completed, total), status);
}

/** A todo list with the stored counts: all that progress needs when the contents are not read. */
export function placeholderTodos(completed: number, total: number): { status: 'completed' | 'pending' }[] {
  return Array.from({ length: total }, (_, index) => ({
    status: index < completed ? 'completed' : 'pending',
  }));
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Ids that are not UUIDs name nothing; checking first keeps Postgres from raising 22P02. */
export function isUuid(value: string): boolean {
  return UUID.test(value);
}
