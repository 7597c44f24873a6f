import { Injectable } from '@nestjs/common';
import type { Pool, PoolClient, QueryResultRow } from 'pg';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';
import { DataSource, type EntityManager } from 'typeorm';
import { InjectBuildcastDataSource } from './buildcast-data-source.js';
import {
  applyEvents,
  isFinishedStatus,
  type AppendResult,
  type BuildEvent,
  type NewBuildEvent,
  type SessionSummary,
  type Snapshot,
  type ToolCallView,
} from '#contracts';
import {
  EVENT_COLUMNS,
  SESSION_COLUMNS,
  iso,
  isUuid,
  placeholderTodos,
  toSessionSummary,
  type SessionRow,
} from './views.js';
import { LEASE_EXPIRED, UNHELD } from './session-leases.js';
import { forPostgresJson } from './well-formed.js';
import { utf8Json } from './utf8-json.js';
import { auditParams, type AuditRecord } from './build-audit.js';
import { repeatedBatch, summaryMayHaveChanged, type AppendBatch } from './repeated-batch.js';
import { LastWrites, mayAppendUnlocked, type LastWrite } from './last-writes.js';

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
  /**
   * Append only when no live worker holds the session (never leased, e.g. still waiting in the
   * queue, or its lease ran out), else LeaseHeldError; checked under the row lock.
   */
  onlyIfUnheld?: boolean;
  /** Who asked for this append (the API's cancel): recorded in its transaction, at its time. */
  audit?: AuditRecord;
  /**
   * An external runner's append (`POST …/events`): the session's lease is its last append, so
   * it is extended by `leaseMs`, and a `session.started` is dropped unless the session has no
   * event yet (each request is parsed on its own, so each may begin with one).
   */
  ingest?: { leaseMs: number; idempotency?: IdempotentRequest };
  /**
   * The runner-worker's group: the same on every retry of it. When the session's latest write
   * was this batch (a COMMIT whose answer was lost), the append repeats that write's answer.
   */
  batch?: AppendBatch;
}

/** An `Idempotency-Key` and the hash of the body it was sent with. */
export interface IdempotentRequest {
  key: string;
  bodyHash: string;
}

/** The same `Idempotency-Key` came with a different body. */
export class IdempotencyConflictError extends Error {
  override readonly name = 'IdempotencyConflictError';
  constructor(readonly key: string) {
    super(`Idempotency-Key ${key} was already used with a different body`);
  }
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
// The batch's stored tool calls come in the same statement, but from its snapshot, which is
// older than the lock: when `seen_seq` (the session as that snapshot has it) differs from
// `last_seq`, an append committed while this one waited, and they are read again. Each id is
// looked up on its own (a correlated subquery runs once per id, on the primary key): a join
// with the ids, or `tool_call_id = ANY($2)`, was planned as a scan of every call of the
// session whenever the statistics promised few calls per session.
const LOCK_SESSION = `
  WITH s AS MATERIALIZED (SELECT * FROM build_sessions WHERE id = $1 FOR UPDATE)
  SELECT ${SESSION_COLUMNS}, s.last_batch_id, ${iso('clock_timestamp()')} AS at, ${LEASE_EXPIRED} AS lease_expired, ${UNHELD} AS unheld,
    (SELECT b.last_seq FROM build_sessions b WHERE b.id = s.id) AS seen_seq,
    array(SELECT id FROM unnest($2::text[]) AS id
          WHERE (SELECT true FROM tool_calls c WHERE (c.session_id, c.tool_call_id) = (s.id, id))) AS known
  FROM s`;

const KNOWN_TOOL_CALLS = `
  SELECT id AS tool_call_id FROM unnest($2::text[]) AS id
  WHERE (SELECT true FROM tool_calls c WHERE (c.session_id, c.tool_call_id) = ($1, id))`;

const OPEN_TOOL_CALLS = `SELECT tool_call_id FROM tool_calls WHERE session_id = $1 AND status = 'running'`;

// Every write of an append, in one statement. Its parts touch disjoint rows (one statement
// may not modify a row twice): the stored calls the batch finishes carry their full outputs,
// new calls are inserted with theirs, `full_outputs` has only the other ids; todos beyond the
// new list are deleted, the others upserted. The calls come as arrays in the order of
// finishedRow and addedRow: no key names, so about half the JSON to make, send and parse. A
// JSON null becomes SQL NULL (`->>`; the input column keeps it as JSON null, `->`); a NULL $7
// (no todos.updated) touches no todo.
// The stored calls to update are found as in LOCK_SESSION, each id on its own, and updated
// by their row addresses (ctid: a TID scan, unless the whole table is a few pages): joined on
// their ids, every call of the session was read whenever statistics promised short sessions.
//
// `session` is also the guard, and every other part writes only through it: it updates the row
// only while the session's latest seq is $21 and, of the ids $22, exactly $23 are stored calls.
// Under the lock (LOCK_SESSION) both hold by construction. Without it (an append from what this
// process last wrote, see LastWrite), a failed guard writes nothing and returns no row; the row
// lock the UPDATE takes orders it with every other append, whose seqs then fail it.
// The clock: $3 when the lock read it; else read here, once (MATERIALIZED), before the UPDATE
// takes the lock, which is no later than any other writer can take it once the guard holds:
// the previous append committed before this statement began, and any later one waits for it.
// 'infinity' in a timestamp is the fold's stand-in for that clock (UNSTAMPED).
const stamped = (value: string, clock = 'session.at') =>
  `CASE WHEN ${value} = 'infinity' THEN ${clock} ELSE ${value} END`;
const WRITE = `
  WITH clock AS MATERIALIZED (
    SELECT coalesce($3::timestamptz, clock_timestamp()) AS at
  ), session AS (
    UPDATE build_sessions
    SET last_seq = $8, status = $9, agent_id = $10, model = $11, project_name = $12, prompt = $13,
        started_at = ${stamped('$14::timestamptz', 'clock.at')}, ended_at = ${stamped('$15::timestamptz', 'clock.at')},
        error = $16, usage = $17::jsonb, progress_completed = $18, progress_total = $19,
        updated_at = clock.at, last_batch_id = $20::uuid
    FROM clock
    WHERE id = $1 AND last_seq = $21
      AND (SELECT count(*) FROM unnest($22::text[]) AS id
           WHERE (SELECT true FROM tool_calls c WHERE (c.session_id, c.tool_call_id) = ($1, id))) = $23
    RETURNING clock.at
  ), events AS (
    INSERT INTO build_events (session_id, seq, type, data, at)
    SELECT $1, e.seq, e.type, e.data, session.at
    FROM session, jsonb_to_recordset($2::jsonb) AS e(seq int, type text, data jsonb)
  ), finished AS (
    UPDATE tool_calls AS t
    SET output = c ->> 1, is_error = (c ->> 2)::boolean, output_truncated = (c ->> 3)::boolean, status = c ->> 4,
        ended_at = ${stamped(`(c ->> 5)::timestamptz`)}, full_output = coalesce(c ->> 6, t.full_output)
    FROM session, jsonb_array_elements($4::jsonb) AS finished(c)
    WHERE t.ctid = ANY(ARRAY(
        SELECT (SELECT k.ctid FROM tool_calls k WHERE (k.session_id, k.tool_call_id) = ($1, e ->> 0))
        FROM jsonb_array_elements($4::jsonb) AS e))
      AND t.tool_call_id = c ->> 0
  ), added AS (
    INSERT INTO tool_calls (session_id, tool_call_id, todo_index, parent_tool_call_id, name, input, output, is_error,
                            output_truncated, status, started_at, ended_at, started_seq, full_output)
    SELECT $1, c ->> 0, (c ->> 1)::int, c ->> 2, c ->> 3, c -> 4, c ->> 5, (c ->> 6)::boolean, (c ->> 7)::boolean,
           c ->> 8, ${stamped(`(c ->> 9)::timestamptz`)}, ${stamped(`(c ->> 10)::timestamptz`)}, (c ->> 11)::int, c ->> 12
    FROM session, jsonb_array_elements($5::jsonb) AS added(c)
  ), full_outputs AS (
    UPDATE tool_calls AS t SET full_output = f.output
    FROM session, jsonb_to_recordset($6::jsonb) AS f(id text, output text)
    WHERE t.ctid = ANY(ARRAY(
        SELECT (SELECT k.ctid FROM tool_calls k WHERE (k.session_id, k.tool_call_id) = ($1, e ->> 'id'))
        FROM jsonb_array_elements($6::jsonb) AS e))
      AND t.tool_call_id = f.id
  ), dropped_todos AS (
    DELETE FROM todos WHERE session_id = $1 AND idx >= jsonb_array_length($7::jsonb) AND EXISTS (SELECT FROM session)
  ), todos AS (
    INSERT INTO todos (session_id, idx, content, active_form, status)
    SELECT $1, t.index, t.content, t."activeForm", t.status
    FROM session, jsonb_to_recordset($7::jsonb) AS t(index int, content text, "activeForm" text, status text)
    ON CONFLICT (session_id, idx) DO UPDATE
    SET content = excluded.content, active_form = excluded.active_form, status = excluded.status
  )
  SELECT ${iso('at')} AS at FROM session`;

/**
 * Appends events to a session's log. One transaction locks the session row, assigns the
 * next seqs (no gap, no duplicate), stores the events and updates the projections with the
 * same fold as the client (applyEvent), computed in memory so that an append is four round
 * trips whatever the batch: BEGIN, lock and read, one statement of writes, COMMIT.
 *
 * A session this process appended to last (the runner-worker's, one batch after another) skips
 * the first three: its next batch is folded onto what this process wrote, and the same
 * statement of writes, on its own, checks that this is still the session's state (LastWrite).
 * When it is not, nothing was written, and the append takes the locked path.
 */
@Injectable()
export class EventStore {
  private readonly lastWrites = new LastWrites();

  constructor(@InjectBuildcastDataSource() private readonly dataSource: DataSource) {}

  async append(
    sessionId: string,
    events: NewBuildEvent[],
    options: AppendOptions = {},
  ): Promise<AppendResult> {
    if (!isUuid(sessionId)) throw new SessionNotFoundError(sessionId);
    const batch = forPostgresJson(events);
    const fullOutputs = options.fullOutputs && forPostgresJson(options.fullOutputs);
    const prepared = { ...options, fullOutputs };
    const unlocked = mayAppendUnlocked(options, batch);
    const last = unlocked ? this.lastWrites.get(sessionId) : undefined;
    if (last) {
      const result = await this.appendUnlocked(sessionId, batch, last, prepared).catch((error: unknown) => {
        this.lastWrites.forget(sessionId); // it may have committed: only the lock can tell
        throw error;
      });
      if (result) {
        this.lastWrites.remember(result);
        return result;
      }
      this.lastWrites.forget(sessionId);
    }
    const result = await this.dataSource.transaction((manager) =>
      appendLocked(manager, sessionId, batch, prepared),
    );
    // A session it holds is kept up to date (or dropped once finished) whatever the append was.
    if (unlocked || this.lastWrites.get(sessionId)) this.lastWrites.remember(result);
    return result;
  }

  /** One statement on a pooled connection, outside any transaction; null if its guard failed. */
  private async appendUnlocked(
    sessionId: string,
    batch: NewBuildEvent[],
    last: LastWrite,
    options: AppendOptions,
  ): Promise<AppendResult | null> {
    // TypeORM's pool itself: a QueryRunner (an EntityManager and more per append) adds nothing here.
    const pool = (this.dataSource.driver as PostgresDriver).master as Pool;
    const client = await pool.connect();
    // A dropped connection fails the query and is also emitted: unheard, it would end the process.
    const onError = () => undefined;
    client.on('error', onError);
    let broken: Error | undefined;
    try {
      const query: Query = (name, text, values) => client.query({ name, text, values });
      return await appendFromLastWrite(query, sessionId, batch, last, options);
    } catch (error) {
      broken = error instanceof Error ? error : new Error(String(error)); // not reused
      throw error;
    } finally {
      client.removeListener('error', onError);
      client.release(broken);
    }
  }
}

type LockedRow = SessionRow & {
  last_batch_id: string | null;
  at: string;
  lease_expired: boolean;
  unheld: boolean;
  seen_seq: number;
  known: string[];
};

async function appendLocked(
  manager: EntityManager,
  sessionId: string,
  batch: NewBuildEvent[],
  options: AppendOptions,
): Promise<AppendResult> {
  const ids = toolCallIds(batch);
  const { rows } = await preparedOn(manager)('event_store_lock', LOCK_SESSION, [sessionId, ids]);
  const row = rows[0] as LockedRow | undefined;
  if (!row) throw new SessionNotFoundError(sessionId);
  const before = toSessionSummary(row);
  const idempotency = options.ingest?.idempotency;
  // Before the finished check: a retry of the batch that finished the session repeats its answer.
  const repeated = idempotency && (await earlierAnswer(manager, sessionId, idempotency));
  if (repeated) {
    return {
      projectId: before.projectId,
      sessionId,
      events: [],
      ...repeated,
      summary: before,
      summaryChanged: false,
    };
  }
  const again = repeatedBatch(row, options.batch);
  if (again) return committedBefore(manager, before, again);
  if (isFinishedStatus(before.status)) throw new SessionClosedError(sessionId);
  if (options.onlyIfLeaseExpired && !row.lease_expired) throw new LeaseHeldError(sessionId);
  if (options.onlyIfUnheld && !row.unheld) throw new LeaseHeldError(sessionId);
  if (options.audit) {
    await manager.query(
      `INSERT INTO build_audit (session_id, action, key_id, key_name, key_prefix, at)
       VALUES ($1, $2, $3::uuid, $4, $5, $6::timestamptz)`,
      [sessionId, ...auditParams(options.audit), row.at],
    );
  }
  const known =
    row.seen_seq === row.last_seq || ids.length === 0
      ? new Set(row.known)
      : await knownToolCalls(manager, sessionId, ids);
  const accepted = acceptedEvents(
    options.ingest && before.seq > 0 ? batch.filter((event) => event.type !== 'session.started') : batch,
    known,
  );
  if (options.ingest) await recordIngest(manager, sessionId, options.ingest, before.seq, accepted.length);
  if (accepted.length === 0) {
    return {
      projectId: before.projectId,
      sessionId,
      events: [],
      fromSeq: before.seq,
      toSeq: before.seq,
      summary: before,
      summaryChanged: false,
    };
  }
  // Finishing the session aborts every open call (the fold does it): the fold must see them all.
  const open = accepted.some((event) => event.type === 'session.finished')
    ? await openToolCalls(manager, sessionId)
    : null;
  const stored = open ? new Set([...known, ...open]) : known;
  const written = await writeBatch(preparedOn(manager), sessionId, before, accepted, stored, open, options, {
    at: row.at,
    namedIds: [],
    storedCount: 0,
  });
  // Under the lock the guard holds by construction: failing it would be a bug, not a race.
  if (!written) throw new Error(`The locked append to ${sessionId} failed its own guard`);
  return written;
}

/**
 * The locked path's append without the lock: `last` stands for the row (the statement checks
 * it), and the batch's stored calls are those of its ids that `last` has running. Null when
 * the guard failed (nothing written) or when the batch takes no seq (the locked path answers
 * that, and whether the session is still open).
 */
async function appendFromLastWrite(
  query: Query,
  sessionId: string,
  batch: NewBuildEvent[],
  last: LastWrite,
  options: AppendOptions,
): Promise<AppendResult | null> {
  const ids = toolCallIds(batch);
  const known = new Set(ids.filter((id) => last.running.has(id)));
  const accepted = acceptedEvents(batch, known);
  if (accepted.length === 0) return null;
  return writeBatch(query, sessionId, last.summary, accepted, known, null, options, {
    at: null,
    namedIds: ids,
    storedCount: known.size,
  });
}

/** Runs a named (prepared) statement. */
type Query = (name: string, text: string, values: unknown[]) => Promise<{ rows: QueryResultRow[] }>;

/** The fold's stand-in for the append's time when only the write statement reads the clock. */
const UNSTAMPED = 'infinity';

/**
 * The batch's seqs, the fold and the one write statement, guarded (see WRITE): the session's
 * latest seq must be `before.seq` and, of `namedIds`, exactly `storedCount` stored calls.
 * `at` is the append's time if the lock read it; else the statement reads it, and the events
 * and summary take it once it is known. Null when the guard failed.
 */
async function writeBatch(
  query: Query,
  sessionId: string,
  before: SessionSummary,
  accepted: NewBuildEvent[],
  stored: ReadonlySet<string>,
  open: ReadonlySet<string> | null,
  options: AppendOptions,
  guard: { at: string | null; namedIds: string[]; storedCount: number },
): Promise<AppendResult | null> {
  const committed = accepted.map((event, index): BuildEvent => ({
    seq: before.seq + 1 + index,
    ...event,
    at: guard.at ?? UNSTAMPED,
  }));
  const after = applyEvents(knownState(before, stored, open), committed);
  const { finished, added, fullOutputs } = toolCallWrites(after.toolCalls, stored, options.fullOutputs);
  // The fold's audit is a placeholder (the audit is no projection of events): not part of a summary.
  const { audit, ...session } = after.session;
  const { rows } = await query('event_store_write', WRITE, [
    sessionId,
    jsonb(committed.map(({ seq, type, data }) => ({ seq, type, data }))),
    guard.at,
    jsonb(finished),
    jsonb(added),
    jsonb(fullOutputs),
    committed.some((event) => event.type === 'todos.updated') ? JSON.stringify(after.todos) : null,
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
    options.batch?.id ?? null,
    before.seq,
    guard.namedIds,
    guard.storedCount,
  ]);
  if (rows.length === 0) return null;
  const at = rows[0].at as string;
  for (const event of committed) event.at = at;
  const summary: SessionSummary = {
    ...session,
    startedAt: session.startedAt === UNSTAMPED ? at : session.startedAt,
    endedAt: session.endedAt === UNSTAMPED ? at : session.endedAt,
    seq: after.seq,
  };
  return {
    projectId: before.projectId,
    sessionId,
    events: committed,
    fromSeq: committed[0].seq,
    toSeq: after.seq,
    summary,
    summaryChanged: summaryChanged(before, summary),
  };
}

/**
 * The answer to a batch already committed (its COMMIT's answer was lost): its events, read
 * again so that the caller announces them (readers drop the seqs they have), and the session
 * as it is now.
 */
async function committedBefore(
  manager: EntityManager,
  session: SessionSummary,
  { fromSeq, toSeq }: { fromSeq: number; toSeq: number },
): Promise<AppendResult> {
  const events = await manager.query<BuildEvent[]>(
    `SELECT ${EVENT_COLUMNS} FROM build_events e WHERE e.session_id = $1 AND e.seq BETWEEN $2 AND $3 ORDER BY e.seq`,
    [session.id, fromSeq, toSeq],
  );
  return {
    projectId: session.projectId,
    sessionId: session.id,
    events,
    fromSeq: events[0]?.seq ?? session.seq,
    toSeq: session.seq,
    summary: session,
    summaryChanged: summaryMayHaveChanged(events),
  };
}

/** The range an earlier request with this key appended; IdempotencyConflictError for another body. */
async function earlierAnswer(
  manager: EntityManager,
  sessionId: string,
  { key, bodyHash }: IdempotentRequest,
): Promise<{ fromSeq: number; toSeq: number } | null> {
  const [earlier] = await manager.query<{ body_hash: string; from_seq: number; to_seq: number }[]>(
    `SELECT body_hash, from_seq, to_seq FROM ingest_requests WHERE session_id = $1 AND key = $2`,
    [sessionId, key],
  );
  if (!earlier) return null;
  if (earlier.body_hash !== bodyHash) throw new IdempotencyConflictError(key);
  return { fromSeq: earlier.from_seq, toSeq: earlier.to_seq };
}

/**
 * An external runner's append, under the row lock: its lease runs `leaseMs` from now, and its
 * key (if any) is kept with the range this append takes (empty: both the latest seq).
 */
async function recordIngest(
  manager: EntityManager,
  sessionId: string,
  { leaseMs, idempotency }: NonNullable<AppendOptions['ingest']>,
  seq: number,
  count: number,
): Promise<void> {
  await manager.query(
    `WITH renewed AS (
       UPDATE build_sessions SET lease_expires_at = clock_timestamp() + $2::int * interval '1 millisecond'
       WHERE id = $1 RETURNING id),
     kept AS (
       INSERT INTO ingest_requests (session_id, key, body_hash, from_seq, to_seq)
       SELECT $1, $3, $4, $5, $6 WHERE $3::text IS NOT NULL)
     SELECT 1`,
    [
      sessionId,
      leaseMs,
      idempotency?.key ?? null,
      idempotency?.bodyHash ?? null,
      count > 0 ? seq + 1 : seq,
      seq + count,
    ],
  );
}

/**
 * Named statements on the transaction's connection: Postgres parses each once per connection
 * and, after a few executions, reuses one generic plan instead of planning every append.
 */
function preparedOn(manager: EntityManager): Query {
  return async (name, text, values) => {
    const client = (await manager.queryRunner!.connect()) as PoolClient;
    return client.query({ name, text, values });
  };
}

/**
 * A list as a jsonb parameter in binary format (its version, 1, then the JSON text): bytes made
 * item by item instead of one large string (see utf8Json), and stored exactly as the text.
 */
function jsonb(items: unknown[]): Buffer {
  return utf8Json(items, JSONB_VERSION);
}

const JSONB_VERSION = [1];

/** The tool call ids that the batch names. */
function toolCallIds(batch: NewBuildEvent[]): string[] {
  const ids = new Set<string>();
  for (const event of batch) {
    if (event.type === 'tool.started' || event.type === 'tool.finished') ids.add(event.data.toolCallId);
  }
  return [...ids];
}

/** The tool call ids of the batch that the session already has, read again under the lock. */
async function knownToolCalls(
  manager: EntityManager,
  sessionId: string,
  ids: string[],
): Promise<Set<string>> {
  const rows = await manager.query<{ tool_call_id: string }[]>(KNOWN_TOOL_CALLS, [sessionId, ids]);
  return new Set(rows.map((stored) => stored.tool_call_id));
}

/** The session's calls still running, under the lock (so none can finish meanwhile). */
async function openToolCalls(manager: EntityManager, sessionId: string): Promise<Set<string>> {
  const rows = await manager.query<{ tool_call_id: string }[]>(OPEN_TOOL_CALLS, [sessionId]);
  return new Set(rows.map((stored) => stored.tool_call_id));
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
 * and for the stored tool calls the batch names (so a tool.finished finds its call). When
 * `open` (the running calls) is known, a stored call outside it is a finished placeholder that
 * session.finished leaves alone; like every placeholder, it is written only if the batch
 * finishes it (sets its endedAt).
 */
function knownState(
  before: SessionSummary,
  known: ReadonlySet<string>,
  open: ReadonlySet<string> | null,
): Snapshot {
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
    parentToolCallId: null,
    name: '',
    input: null,
    output: null,
    isError: false,
    outputTruncated: false,
    status: open === null || open.has(id) ? 'running' : 'succeeded',
    startedAt: '',
    endedAt: null,
    startedSeq: 0,
  }));
  return { seq, session: { ...session, audit: [] }, todos, toolCalls, messages: [] };
}

/**
 * The tool-call rows the write changes, each row in one part only: the stored calls this batch
 * finished or aborted (only that sets their endedAt), the new calls (the fold gave them their
 * startedSeq), and the full outputs of the remaining ids (stored calls the batch did not finish).
 */
function toolCallWrites(
  toolCalls: ToolCallView[],
  known: ReadonlySet<string>,
  fullOutputs: ReadonlyMap<string, string> = new Map(),
) {
  const finished: unknown[][] = [];
  const added: unknown[][] = [];
  const written = new Set<string>();
  for (const call of toolCalls) {
    if (!known.has(call.id)) added.push(addedRow(call, fullOutputs.get(call.id)));
    else if (call.endedAt !== null) finished.push(finishedRow(call, fullOutputs.get(call.id)));
    else continue;
    written.add(call.id);
  }
  const others = [...fullOutputs].filter(([id]) => !written.has(id)).map(([id, output]) => ({ id, output }));
  return { finished, added, fullOutputs: others };
}

/** A stored call the batch finished, as WRITE's `finished` reads it (`c ->> 0` is the id, …). */
function finishedRow(call: ToolCallView, fullOutput: string | undefined): unknown[] {
  return [
    call.id,
    call.output,
    call.isError,
    call.outputTruncated,
    call.status,
    call.endedAt,
    fullOutput ?? null,
  ];
}

/** A new call, as WRITE's `added` reads it, in the order of its column list. */
function addedRow(call: ToolCallView, fullOutput: string | undefined): unknown[] {
  return [
    call.id,
    call.todoIndex,
    call.parentToolCallId,
    call.name,
    call.input ?? null,
    call.output,
    call.isError,
    call.outputTruncated,
    call.status,
    call.startedAt,
    call.endedAt,
    call.startedSeq,
    fullOutput ?? null,
  ];
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
