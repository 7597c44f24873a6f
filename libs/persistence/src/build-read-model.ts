import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { InjectBuildcastDataSource } from './buildcast-data-source.js';
import {
  FINISHED_STATUSES,
  type AgentKind,
  type BuildEvent,
  type BuildRequest,
  type MessageView,
  type Project,
  type ProjectListItem,
  type SessionStatus,
  type SessionSummary,
  type Snapshot,
  type SnapshotSession,
  type TodoView,
  type ToolCallDetail,
  type ToolCallView,
} from '#contracts';
import {
  EVENT_COLUMNS,
  MESSAGE_VIEW_COLUMNS,
  PROJECT_COLUMNS,
  SESSION_COLUMNS,
  TODO_VIEW_COLUMNS,
  TOOL_CALL_VIEW_COLUMNS,
  isUuid,
  toolCallPreviewColumns,
  toProject,
  toSessionSummary,
  toSessionView,
  type ProjectRow,
  type SessionRow,
} from './views.js';
import { AUDIT_JSON, auditParams, type AuditActor, type AuditRecord } from './build-audit.js';

export interface CreateSessionInput {
  projectId: string;
  agent: AgentKind;
  agentId: string;
  model: string | null;
  prompt: string | null;
  /** What the build runs (stored beside the session; the job in Redis carries only ids). Default: nothing more than the agent. */
  request?: Omit<BuildRequest, 'agent'>;
  /** The credential that asked for the build: its `started` audit entry is written with the session. */
  startedBy?: AuditActor;
  /**
   * An external runner feeds the session itself: it is created running, with no request to
   * run, and a lease of `leaseMs` that each append extends (no runner-worker ever claims it;
   * their sweep ends it `interrupted` once no append came for that long).
   */
  external?: { leaseMs: number };
}

/** A queued session that no worker has claimed yet. */
export interface UnclaimedSession {
  id: string;
  projectId: string;
  agent: AgentKind;
  /** Its build request is stored (every session queued since requests moved to Postgres). */
  hasRequest: boolean;
}

export interface ProjectListPage {
  limit: number;
  /** The id of the last project of the previous page. */
  before?: string;
  name?: string;
  /** Only this project (a key restricted to it sees no other). */
  onlyId?: string;
}

export interface EventsAfterResult {
  events: BuildEvent[];
  /** The latest committed seq of the session (as of the same statement as `events`). */
  latestSeq: number;
  status: SessionStatus;
}

// Todos and tool calls leave Postgres as two JSON texts: no per-row work in Node. json_agg
// keeps the order of a sorted subquery of one table (row_to_json of it is the view itself).
// $3: the output preview's length in characters (0: whole outputs).
const SNAPSHOT = `
  SELECT ${SESSION_COLUMNS},
    (SELECT coalesce(json_agg(v), '[]')::text
       FROM (SELECT ${TODO_VIEW_COLUMNS} FROM todos t WHERE t.session_id = s.id ORDER BY t.idx) v) AS todos,
    (SELECT coalesce(json_agg(v), '[]')::text
       FROM (SELECT ${toolCallPreviewColumns('$3::int')} FROM tool_calls c
             WHERE c.session_id = s.id ORDER BY c.started_seq) v)
      AS tool_calls,
    (SELECT coalesce(json_agg(v), '[]')::text
       FROM (SELECT ${MESSAGE_VIEW_COLUMNS} FROM build_events e
             WHERE e.session_id = s.id AND e.type = 'message' ORDER BY e.seq) v) AS messages,
    ${AUDIT_JSON} AS audit
  FROM build_sessions s WHERE s.id = $1 AND s.project_id = $2`;

// What a snapshot's validator is made of, without building it: one row by primary key.
const SNAPSHOT_VERSION = `
  SELECT s.last_seq, s.status, ${AUDIT_JSON} AS audit
  FROM build_sessions s WHERE s.id = $1 AND s.project_id = $2`;

// One statement, so `latestSeq` and `status` agree with the events returned.
const EVENTS_AFTER = `
  SELECT s.last_seq, s.status,
    (SELECT coalesce(json_agg(v), '[]')
       FROM (SELECT ${EVENT_COLUMNS} FROM build_events e
             WHERE e.session_id = s.id AND e.seq > $3 ORDER BY e.seq LIMIT $4) v) AS events
  FROM build_sessions s WHERE s.id = $1 AND s.project_id = $2`;

// The full output when a shortened copy is in the log; `outputTruncated` stays as stored.
const TOOL_CALL_DETAIL = `
  SELECT ${TOOL_CALL_VIEW_COLUMNS}, coalesce(c.full_output, c.output) AS "fullOutput"
  FROM tool_calls c JOIN build_sessions s ON s.id = c.session_id
  WHERE c.session_id = $1 AND s.project_id = $2 AND c.tool_call_id = $3`;

type SnapshotRow = SessionRow & { todos: string; tool_calls: string; messages: string; audit: string };

export interface SnapshotReadOptions {
  /** Tool-call outputs are previews of at most this many characters; 0 or absent: whole. */
  outputPreviewChars?: number;
}

/**
 * What a snapshot depends on besides its events: a snapshot with the same seq and audit is
 * the same snapshot (every other field is a projection of the events up to seq).
 */
export interface SnapshotVersion {
  seq: number;
  status: SessionStatus;
  /** `session.audit` as JSON text. */
  audit: string;
}

/** A snapshot with the version it was read at. */
export interface VersionedSnapshot {
  snapshot: Snapshot;
  version: SnapshotVersion;
}

/** The queries behind the REST API and the runners: projects, sessions, snapshots, the log. */
@Injectable()
export class BuildReadModel {
  constructor(@InjectBuildcastDataSource() private readonly dataSource: DataSource) {}

  async createProject(name: string): Promise<Project> {
    const [row] = await this.dataSource.query<ProjectRow[]>(
      `INSERT INTO projects AS p (name) VALUES ($1) RETURNING ${PROJECT_COLUMNS}`,
      [name],
    );
    return toProject(row);
  }

  /**
   * Newest first, each with its newest build: a page of at most `limit`, after the project
   * `before` (see ListPageQueryDto), optionally only those named `name`, or only `onlyId`
   * (a key restricted to one project).
   */
  async listProjects(page: ProjectListPage): Promise<ProjectListItem[]> {
    const rows = await this.dataSource.query<(ProjectRow & { latest_build: SessionRow | null })[]>(
      `SELECT ${PROJECT_COLUMNS},
         (SELECT row_to_json(l) FROM (SELECT ${SESSION_COLUMNS} FROM build_sessions s
            WHERE s.project_id = p.id ORDER BY s.created_at DESC, s.id DESC LIMIT 1) l) AS latest_build
       FROM projects p
       WHERE ($2::uuid IS NULL OR (p.created_at, p.id) < (SELECT c.created_at, c.id FROM projects c WHERE c.id = $2))
         AND ($3::text IS NULL OR p.name = $3)
         AND ($4::uuid IS NULL OR p.id = $4)
       ORDER BY p.created_at DESC, p.id DESC LIMIT $1`,
      [page.limit, page.before ?? null, page.name ?? null, page.onlyId ?? null],
    );
    return rows.map((row) => ({
      ...toProject(row),
      latestBuild: row.latest_build ? toSessionSummary(row.latest_build) : null,
    }));
  }

  async getProject(id: string): Promise<Project | null> {
    if (!isUuid(id)) return null;
    const [row] = await this.dataSource.query<ProjectRow[]>(
      `SELECT ${PROJECT_COLUMNS} FROM projects p WHERE p.id = $1`,
      [id],
    );
    return row ? toProject(row) : null;
  }

  /**
   * A new session in status `queued`, named after its project, its build request and its
   * `started` audit entry: one statement, so a queued session always has its request and says
   * who asked for it. Null when the project is unknown.
   */
  async createQueuedSession(input: CreateSessionInput): Promise<SessionSummary | null> {
    if (!isUuid(input.projectId)) return null;
    const { format, transcript, eventIntervalMs } = input.request ?? {};
    const [row] = await this.dataSource.query<SessionRow[]>(
      `WITH s AS (
         INSERT INTO build_sessions (project_id, status, agent, agent_id, model, project_name, prompt, lease_expires_at)
         SELECT p.id, CASE WHEN $13::int IS NULL THEN 'queued' ELSE 'running' END, $2, $3, $4, p.name, $5,
           clock_timestamp() + $13::int * interval '1 millisecond'
         FROM projects p WHERE p.id = $1
         RETURNING *),
       r AS (
         INSERT INTO build_requests (session_id, format, transcript, event_interval_ms)
         SELECT s.id, $6, $7, $8 FROM s WHERE $13::int IS NULL),
       a AS (
         INSERT INTO build_audit (session_id, action, key_id, key_name, key_prefix, at)
         SELECT s.id, $9, $10::uuid, $11, $12, s.created_at FROM s WHERE $11::text IS NOT NULL)
       SELECT ${SESSION_COLUMNS} FROM s`,
      [
        input.projectId,
        input.agent,
        input.agentId,
        input.model,
        input.prompt,
        format ?? null,
        transcript ?? null,
        eventIntervalMs ?? null,
        ...(input.startedBy
          ? auditParams({ action: 'started', actor: input.startedBy })
          : ['started', null, null, null]),
        input.external?.leaseMs ?? null,
      ],
    );
    return row ? toSessionSummary(row) : null;
  }

  /**
   * Records an action on a session that has not finished; its id (to take it back should the
   * action fail after all), or null when the session is unknown or already finished.
   */
  async recordAudit(sessionId: string, record: AuditRecord): Promise<string | null> {
    if (!isUuid(sessionId)) return null;
    const [row] = await this.dataSource.query<{ id: string }[]>(
      `INSERT INTO build_audit (session_id, action, key_id, key_name, key_prefix)
       SELECT s.id, $2, $3::uuid, $4, $5 FROM build_sessions s
       WHERE s.id = $1 AND s.status <> ALL($6::text[])
       RETURNING id`,
      [sessionId, ...auditParams(record), FINISHED_STATUSES],
    );
    return row?.id ?? null;
  }

  /**
   * Whether someone asked to cancel the session: a `cancelled` audit entry is written before
   * the request is announced, and taken back when it could not be.
   */
  async cancelRequested(sessionId: string): Promise<boolean> {
    if (!isUuid(sessionId)) return false;
    const [row] = await this.dataSource.query<{ requested: boolean }[]>(
      `SELECT EXISTS (SELECT 1 FROM build_audit WHERE session_id = $1 AND action = 'cancelled') AS requested`,
      [sessionId],
    );
    return row.requested;
  }

  /** Takes back an entry of recordAudit whose action did not happen. */
  async removeAudit(id: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM build_audit WHERE id = $1`, [id]);
  }

  /** The stored request of a session; null when there is none (or no such session). */
  async getBuildRequest(sessionId: string): Promise<BuildRequest | null> {
    if (!isUuid(sessionId)) return null;
    const [row] = await this.dataSource.query<
      {
        agent: AgentKind;
        format: string | null;
        transcript: string | null;
        event_interval_ms: number | null;
      }[]
    >(
      `SELECT s.agent, r.format, r.transcript, r.event_interval_ms
       FROM build_requests r JOIN build_sessions s ON s.id = r.session_id WHERE r.session_id = $1`,
      [sessionId],
    );
    if (!row) return null;
    return {
      agent: row.agent,
      format: (row.format ?? undefined) as BuildRequest['format'],
      transcript: row.transcript ?? undefined,
      eventIntervalMs: row.event_interval_ms ?? undefined,
    };
  }

  /**
   * Sessions queued for more than `graceMs` (by Postgres' clock) that no worker has claimed:
   * each should have a job waiting in the queue. Oldest first.
   */
  async unclaimedQueuedSessions(graceMs: number, limit = 100): Promise<UnclaimedSession[]> {
    return this.dataSource.query<UnclaimedSession[]>(
      `SELECT s.id, s.project_id AS "projectId", s.agent,
         EXISTS (SELECT 1 FROM build_requests r WHERE r.session_id = s.id) AS "hasRequest"
       FROM build_sessions s
       WHERE s.status = 'queued' AND s.lease_expires_at IS NULL
         AND s.created_at < clock_timestamp() - $1::int * interval '1 millisecond'
       ORDER BY s.created_at LIMIT $2`,
      [graceMs, limit],
    );
  }

  /** Only for a session whose job could not be enqueued; its rows go with it (cascade). */
  async deleteSession(id: string): Promise<void> {
    if (!isUuid(id)) return;
    await this.dataSource.query(`DELETE FROM build_sessions WHERE id = $1`, [id]);
  }

  /** Newest first: at most `limit`, those after the session `before` of the project (a page cursor). */
  async listSessions(projectId: string, limit: number, before?: string): Promise<SessionSummary[]> {
    if (!isUuid(projectId) || (before !== undefined && !isUuid(before))) return [];
    const rows = await this.dataSource.query<SessionRow[]>(
      `SELECT ${SESSION_COLUMNS} FROM build_sessions s
       WHERE s.project_id = $1
         AND ($3::uuid IS NULL OR (s.created_at, s.id) <
           (SELECT c.created_at, c.id FROM build_sessions c WHERE c.id = $3 AND c.project_id = $1))
       ORDER BY s.created_at DESC, s.id DESC LIMIT $2`,
      [projectId, limit, before ?? null],
    );
    return rows.map(toSessionSummary);
  }

  /** Null when the session does not exist or belongs to another project. */
  async getSessionSummary(projectId: string, sessionId: string): Promise<SessionSummary | null> {
    if (!isUuid(projectId) || !isUuid(sessionId)) return null;
    const [row] = await this.dataSource.query<SessionRow[]>(
      `SELECT ${SESSION_COLUMNS} FROM build_sessions s WHERE s.id = $1 AND s.project_id = $2`,
      [sessionId, projectId],
    );
    return row ? toSessionSummary(row) : null;
  }

  /** The session as of its latest seq, read in one read-only snapshot transaction. */
  async getSnapshot(
    projectId: string,
    sessionId: string,
    options: SnapshotReadOptions = {},
  ): Promise<Snapshot | null> {
    return (await this.getVersionedSnapshot(projectId, sessionId, options))?.snapshot ?? null;
  }

  /**
   * The snapshot with the version it was read at (the audit as the text getSnapshotVersion
   * reads, so that both name it alike). Postgres writes the large arrays as JSON text, which
   * Node parses in one call: no per-row work in the driver.
   */
  async getVersionedSnapshot(
    projectId: string,
    sessionId: string,
    options: SnapshotReadOptions = {},
  ): Promise<VersionedSnapshot | null> {
    const row = await this.readSnapshot(projectId, sessionId, options);
    if (!row) return null;
    const session: SnapshotSession = {
      ...toSessionView(row),
      audit: JSON.parse(row.audit) as SnapshotSession['audit'],
    };
    return {
      snapshot: {
        seq: row.last_seq,
        session,
        todos: JSON.parse(row.todos) as TodoView[],
        toolCalls: JSON.parse(row.tool_calls) as ToolCallView[],
        messages: JSON.parse(row.messages) as MessageView[],
      },
      version: { seq: row.last_seq, status: row.status, audit: row.audit },
    };
  }

  /** The version getVersionedSnapshot would read now, for a fraction of its cost; null as it would be. */
  async getSnapshotVersion(projectId: string, sessionId: string): Promise<SnapshotVersion | null> {
    if (!isUuid(projectId) || !isUuid(sessionId)) return null;
    const [row] = await this.dataSource.query<{ last_seq: number; status: SessionStatus; audit: string }[]>(
      SNAPSHOT_VERSION,
      [sessionId, projectId],
    );
    return row ? { seq: row.last_seq, status: row.status, audit: row.audit } : null;
  }

  private async readSnapshot(
    projectId: string,
    sessionId: string,
    { outputPreviewChars = 0 }: SnapshotReadOptions,
  ): Promise<SnapshotRow | undefined> {
    if (!isUuid(projectId) || !isUuid(sessionId)) return undefined;
    const [row] = await this.dataSource.transaction('REPEATABLE READ', async (manager) => {
      await manager.query('SET TRANSACTION READ ONLY');
      return manager.query<SnapshotRow[]>(SNAPSHOT, [sessionId, projectId, outputPreviewChars]);
    });
    return row;
  }

  /** One tool call with its full output; null when the call is not in the session of the project. */
  async getToolCall(
    projectId: string,
    sessionId: string,
    toolCallId: string,
  ): Promise<ToolCallDetail | null> {
    if (!isUuid(projectId) || !isUuid(sessionId)) return null;
    const [row] = await this.dataSource.query<(ToolCallView & { fullOutput: string | null })[]>(
      TOOL_CALL_DETAIL,
      [sessionId, projectId, toolCallId],
    );
    if (!row) return null;
    const { fullOutput, ...view } = row;
    return { ...view, output: fullOutput, outputBytes: Buffer.byteLength(fullOutput ?? '') };
  }

  /** Events with seq > `after` in order, at most `limit`; null when the session is not in the project. */
  async eventsAfter(
    projectId: string,
    sessionId: string,
    after: number,
    limit: number,
  ): Promise<EventsAfterResult | null> {
    if (!isUuid(projectId) || !isUuid(sessionId)) return null;
    const [row] = await this.dataSource.query<
      { last_seq: number; status: SessionStatus; events: BuildEvent[] }[]
    >(EVENTS_AFTER, [sessionId, projectId, after, limit]);
    return row ? { events: row.events, latestSeq: row.last_seq, status: row.status } : null;
  }

  /** The latest committed seq of each given session, in one query (gateways audit their rooms). */
  async latestSeqs(sessionIds: string[]): Promise<Map<string, number>> {
    const ids = sessionIds.filter(isUuid);
    if (ids.length === 0) return new Map();
    const rows = await this.dataSource.query<{ id: string; last_seq: number }[]>(
      'SELECT id, last_seq FROM build_sessions WHERE id = ANY($1::uuid[])',
      [ids],
    );
    return new Map(rows.map((row) => [row.id, row.last_seq]));
  }
}
