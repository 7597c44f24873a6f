import { Injectable } from '@nestjs/common';
import { DataSource, type EntityManager } from 'typeorm';
import {
  applyEvent,
  isFinishedStatus,
  type BuildEvent,
  type NewBuildEvent,
  type SessionSummary,
  type Snapshot,
  type ToolCallView,
} from '#contracts';
import {
  SESSION_COLUMNS,
  iso,
  isUuid,
  placeholderTodos,
  toSessionSummary,
  type SessionRow,
} from './views.js';
import { LEASE_EXPIRED } from './session-leases.js';

export interface AppendResult {
  projectId: string;
  sessionId: string;
  /** Committed, in seq order; duplicates dropped (may be empty). */
  events: BuildEvent[];
  /** The range of `events`; both equal the latest seq when `events` is empty. */
  fromSeq: number;
  toSeq: number;
  /** The session after the append (`seq` = its latest seq). */
  summary: SessionSummary;
  /** Status, progress, model, agentId or projectName changed. */
  summaryChanged: boolean;
}

export class SessionNotFoundError extends Error {
  override readonly name = 'SessionNotFoundError';
  constructor(readonly sessionId: string) {
    super(`Build session ${sessionId} not found`);
  }
}

/** An append meant for a dead worker's session found its lease renewed: the worker is alive. */
export class LeaseHeldError extends Error {
  override readonly name = 'LeaseHeldError';
  constructor(readonly sessionId: string) {
    super(`Build session ${sessionId} is held by a live runner-worker`);
  }
}

export interface AppendOptions {
  /** Full texts of tool outputs that the batch's tool.finished events carry shortened, by toolCallId. */
  fullOutputs?: ReadonlyMap<string, string>;
  /** Append only when the session's lease has expired (else LeaseHeldError), checked under the row lock. */
  onlyIfLeaseExpired?: boolean;
}

/** The session already has its `session.finished`; nothing more may be appended. */
export class SessionClosedError extends Error {
  override readonly name = 'SessionClosedError';
  constructor(readonly sessionId: string) {
    super(`Build session ${sessionId} has already finished`);
  }
}

// The row lock orders concurrent appenders; the clock is read once the lock is held
// (MATERIALIZED keeps it after the lock), so `at` never goes backwards as seq goes up.
const LOCK_SESSION = `
  WITH s AS MATERIALIZED (SELECT * FROM build_sessions WHERE id = $1 FOR UPDATE)
  SELECT ${SESSION_COLUMNS}, ${iso('clock_timestamp()')} AS at, ${LEASE_EXPIRED} AS lease_expired FROM s`;

const KNOWN_TOOL_CALLS = `
  SELECT tool_call_id FROM tool_calls WHERE session_id = $1 AND tool_call_id = ANY($2::text[])`;

const INSERT_EVENTS = `
  INSERT INTO build_events (session_id, seq, type, data, at)
  SELECT $1, e.seq, e.type, e.data, $3::timestamptz
  FROM jsonb_to_recordset($2::jsonb) AS e(seq int, type text, data jsonb)`;

const UPDATE_TOOL_CALLS = `
  UPDATE tool_calls AS t
  SET output = c.output, is_error = c."isError", output_truncated = c."outputTruncated", status = c.status,
      ended_at = c."endedAt"
  FROM jsonb_to_recordset($2::jsonb)
    AS c(id text, output text, "isError" boolean, "outputTruncated" boolean, status text, "endedAt" timestamptz)
  WHERE t.session_id = $1 AND t.tool_call_id = c.id`;

// A JSON null becomes SQL NULL in a recordset; the input column keeps it as JSON null.
const INSERT_TOOL_CALLS = `
  INSERT INTO tool_calls (session_id, tool_call_id, todo_index, name, input, output, is_error, output_truncated,
                          status, started_at, ended_at, started_seq)
  SELECT $1, c.id, c."todoIndex", c.name, coalesce(c.input, 'null'::jsonb), c.output, c."isError",
         c."outputTruncated", c.status, c."startedAt", c."endedAt", c."startedSeq"
  FROM jsonb_to_recordset($2::jsonb)
    AS c(id text, "todoIndex" int, name text, input jsonb, output text, "isError" boolean,
         "outputTruncated" boolean, status text, "startedAt" timestamptz, "endedAt" timestamptz, "startedSeq" int)`;

const STORE_FULL_OUTPUTS = `
  UPDATE tool_calls AS t SET full_output = f.output
  FROM jsonb_to_recordset($2::jsonb) AS f(id text, output text)
  WHERE t.session_id = $1 AND t.tool_call_id = f.id`;

const DELETE_TODOS = `DELETE FROM todos WHERE session_id = $1`;

const INSERT_TODOS = `
  INSERT INTO todos (session_id, idx, content, active_form, status)
  SELECT $1, t.index, t.content, t."activeForm", t.status
  FROM jsonb_to_recordset($2::jsonb) AS t(index int, content text, "activeForm" text, status text)`;

const UPDATE_SESSION = `
  UPDATE build_sessions
  SET last_seq = $2, status = $3, agent_id = $4, model = $5, project_name = $6, prompt = $7, started_at = $8,
      ended_at = $9, error = $10, usage = $11::jsonb, progress_completed = $12, progress_total = $13,
      updated_at = $14
  WHERE id = $1`;

/**
 * Appends events to a session's log. One transaction locks the session row, assigns the
 * next seqs (no gap, no duplicate), stores the events and updates the projections with the
 * same fold as the client (applyEvent), computed in memory so a batch costs a few statements.
 */
@Injectable()
export class EventStore {
  constructor(private readonly dataSource: DataSource) {}

  async append(
    sessionId: string,
    events: NewBuildEvent[],
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    if (!isUuid(sessionId)) throw new SessionNotFoundError(sessionId);
    const batch = withoutNulChars(events);
    return this.dataSource.transaction((manager) => appendLocked(manager, sessionId, batch, options));
  }
}

async function appendLocked(
  manager: EntityManager,
  sessionId: string,
  batch: NewBuildEvent[],
  options: AppendOptions,
): Promise<AppendResult> {
  const [row] = await manager.query<(SessionRow & { at: string; lease_expired: boolean })[]>(LOCK_SESSION, [
    sessionId,
  ]);
  if (!row) throw new SessionNotFoundError(sessionId);
  const before = toSessionSummary(row);
  if (isFinishedStatus(before.status)) throw new SessionClosedError(sessionId);
  if (options.onlyIfLeaseExpired && !row.lease_expired) throw new LeaseHeldError(sessionId);
  const result = { projectId: before.projectId, sessionId };

  const known = await knownToolCalls(manager, sessionId, batch);
  const accepted = acceptedEvents(batch, known);
  if (accepted.length === 0) {
    return {
      ...result,
      events: [],
      fromSeq: before.seq,
      toSeq: before.seq,
      summary: before,
      summaryChanged: false,
    };
  }
  const at = row.at;
  const committed = accepted.map((event, index): BuildEvent => ({
    seq: before.seq + 1 + index,
    ...event,
    at,
  }));
  const after = committed.reduce(applyEvent, knownState(before, known));

  await manager.query(INSERT_EVENTS, [
    sessionId,
    JSON.stringify(committed.map(({ seq, type, data }) => ({ seq, type, data }))),
    at,
  ]);
  await writeToolCalls(manager, sessionId, committed, after.toolCalls, known);
  if (options.fullOutputs && options.fullOutputs.size > 0) {
    const outputs = [...options.fullOutputs].map(([id, output]) => ({
      id,
      output: output.replaceAll('\u0000', '\uFFFD'),
    }));
    await manager.query(STORE_FULL_OUTPUTS, [sessionId, JSON.stringify(outputs)]);
  }
  if (committed.some((event) => event.type === 'todos.updated')) {
    await manager.query(DELETE_TODOS, [sessionId]);
    if (after.todos.length > 0) await manager.query(INSERT_TODOS, [sessionId, JSON.stringify(after.todos)]);
  }
  const { session } = after;
  await manager.query(UPDATE_SESSION, [
    sessionId,
    after.seq,
    session.status,
    session.agentId,
    session.model,
    session.projectName,
    session.prompt,
    session.startedAt,
    session.endedAt,
    session.error,
    session.usage === null ? null : JSON.stringify(session.usage),
    session.progress.completed,
    session.progress.total,
    at,
  ]);

  const summary: SessionSummary = { ...session, seq: after.seq };
  return {
    ...result,
    events: committed,
    fromSeq: committed[0].seq,
    toSeq: after.seq,
    summary,
    summaryChanged: summaryChanged(before, summary),
  };
}

/** The tool call ids of the batch that the session already has. */
async function knownToolCalls(
  manager: EntityManager,
  sessionId: string,
  batch: NewBuildEvent[],
): Promise<Set<string>> {
  const ids = new Set<string>();
  for (const event of batch) {
    if (event.type === 'tool.started' || event.type === 'tool.finished') ids.add(event.data.toolCallId);
  }
  if (ids.size === 0) return ids;
  const rows = await manager.query<{ tool_call_id: string }[]>(KNOWN_TOOL_CALLS, [sessionId, [...ids]]);
  return new Set(rows.map((known) => known.tool_call_id));
}

/**
 * The events that take a seq: a repeated tool.started is a no-op (the contract calls it a
 * duplicate), and nothing may follow session.finished.
 */
function acceptedEvents(batch: NewBuildEvent[], known: ReadonlySet<string>): NewBuildEvent[] {
  const started = new Set(known);
  const accepted: NewBuildEvent[] = [];
  for (const event of batch) {
    if (event.type === 'tool.started') {
      if (started.has(event.data.toolCallId)) continue;
      started.add(event.data.toolCallId);
    }
    accepted.push(event);
    if (event.type === 'session.finished') break;
  }
  return accepted;
}

/**
 * The part of the session state that the batch can touch, as a Snapshot for applyEvent:
 * placeholders stand in for the stored todo list (only their statuses count, for progress)
 * and for the stored tool calls the batch names (so a tool.finished finds its call).
 */
function knownState(before: SessionSummary, known: ReadonlySet<string>): Snapshot {
  const { seq, ...session } = before;
  const todos = placeholderTodos(session.progress.completed, session.progress.total).map((todo, index) => ({
    index,
    content: '',
    activeForm: '',
    ...todo,
  }));
  const toolCalls = [...known].map((id): ToolCallView => ({
    id,
    todoIndex: null,
    name: '',
    input: null,
    output: null,
    isError: false,
    outputTruncated: false,
    status: 'running',
    startedAt: '',
    endedAt: null,
  }));
  return { seq, session, todos, toolCalls };
}

async function writeToolCalls(
  manager: EntityManager,
  sessionId: string,
  committed: BuildEvent[],
  toolCalls: ToolCallView[],
  known: ReadonlySet<string>,
): Promise<void> {
  // Only finishing a call sets its endedAt, so these are the stored calls this batch finished.
  const finished = toolCalls.filter((call) => known.has(call.id) && call.endedAt !== null);
  if (finished.length > 0) await manager.query(UPDATE_TOOL_CALLS, [sessionId, JSON.stringify(finished)]);
  const startedSeq = new Map<string, number>();
  for (const event of committed) {
    if (event.type === 'tool.started') startedSeq.set(event.data.toolCallId, event.seq);
  }
  const added = toolCalls
    .filter((call) => !known.has(call.id))
    .map((call) => ({ ...call, startedSeq: startedSeq.get(call.id) }));
  if (added.length > 0) await manager.query(INSERT_TOOL_CALLS, [sessionId, JSON.stringify(added)]);
}

function summaryChanged(before: SessionSummary, after: SessionSummary): boolean {
  return (
    before.status !== after.status ||
    before.progress.completed !== after.progress.completed ||
    before.progress.total !== after.progress.total ||
    before.progress.percent !== after.progress.percent ||
    before.model !== after.model ||
    before.agentId !== after.agentId ||
    before.projectName !== after.projectName
  );
}

/**
 * Postgres text and jsonb cannot hold U+0000, which agent output sometimes contains; it is
 * replaced by U+FFFD so the append succeeds and the stored event equals the returned one.
 */
function withoutNulChars(events: NewBuildEvent[]): NewBuildEvent[] {
  if (!JSON.stringify(events).includes('\\u0000')) return events;
  return replaceNul(events) as NewBuildEvent[];
}

function replaceNul(value: unknown): unknown {
  if (typeof value === 'string') return value.replaceAll('\u0000', '\uFFFD');
  if (Array.isArray(value)) return value.map(replaceNul);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [replaceNul(key), replaceNul(inner)]),
    );
  }
  return value;
}
