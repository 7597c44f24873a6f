import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { LIVE_AGENT_FORMATS, type BuildJob, type BuildLane } from '#contracts';
import { InjectBuildcastDataSource } from './buildcast-data-source.js';
import { isUuid } from './views.js';

const LIVE_AGENTS = Object.keys(LIVE_AGENT_FORMATS);

/**
 * True for a session (aliased `s`) whose worker is presumed dead: its lease ran out, or it
 * is running without one (left by a version without leases). Postgres' clock decides, so
 * workers on hosts with skewed clocks agree.
 */
export const LEASE_EXPIRED = `(s.lease_expires_at < clock_timestamp() OR (s.lease_expires_at IS NULL AND s.status = 'running'))`;

/**
 * True for a session (aliased `s`) that no live worker holds: it never had a lease (still
 * waiting in the queue), or its lease ran out. Such a session can be ended by anyone.
 */
export const UNHELD = `(s.lease_expires_at IS NULL OR s.lease_expires_at < clock_timestamp())`;

/**
 * True for a queued session (aliased `s`) that no worker ever claimed. Only those are given to
 * a worker: one whose claim ran out may have had its agent started (a live agent makes its
 * changes before its first event), so the sweeper ends it rather than run it a second time.
 */
const NEVER_CLAIMED = `(s.status = 'queued' AND s.lease_expires_at IS NULL)`;

const LIVE = `s.status IN ('queued', 'running')`;
const UNTIL = `clock_timestamp() + $2::int * interval '1 millisecond'`;

export type ClaimResult = 'claimed' | 'held' | 'finished';

/**
 * Leases on session rows: the worker running a build holds its session's lease and renews it
 * while it runs; a session whose lease ran out lost its worker (see docs/architecture.md).
 */
@Injectable()
export class SessionLeases {
  constructor(@InjectBuildcastDataSource() private readonly dataSource: DataSource) {}

  /**
   * Takes the lease of a queued session that no worker claimed before for `workerId`. 'held':
   * the session is running or another worker claimed it (that worker may be dead: see
   * interrupt-if-expired).
   */
  async claim(sessionId: string, workerId: string, leaseMs: number): Promise<ClaimResult> {
    if (!isUuid(sessionId)) return 'finished';
    // Statements are wrapped in a SELECT: TypeORM answers a bare UPDATE with [rows, count].
    const [row] = await this.dataSource.query<{ claimed: boolean }[]>(
      `WITH s AS MATERIALIZED (SELECT * FROM build_sessions s WHERE s.id = $1 AND ${LIVE} FOR UPDATE),
       claimed AS (
         UPDATE build_sessions AS b SET worker_id = $3, lease_expires_at = ${UNTIL}
         FROM s WHERE b.id = s.id AND ${NEVER_CLAIMED}
         RETURNING true AS claimed)
       SELECT claimed FROM claimed`,
      [sessionId, leaseMs, workerId],
    );
    if (row) return 'claimed';
    const [live] = await this.dataSource.query<unknown[]>(
      `SELECT 1 FROM build_sessions s WHERE s.id = $1 AND ${LIVE}`,
      [sessionId],
    );
    return live ? 'held' : 'finished';
  }

  /**
   * Takes up to `limits[lane]` queued sessions of each lane that no worker claimed before,
   * oldest first, for `workerId` (the Postgres transport's build queue). SKIP LOCKED: workers
   * claiming at the same time take different sessions instead of waiting for each other. Only
   * sessions with a stored request are builds to run (createQueuedSession stores one with
   * every session).
   */
  async claimQueued(
    workerId: string,
    leaseMs: number,
    limits: Readonly<Record<BuildLane, number>>,
  ): Promise<(BuildJob & { lane: BuildLane })[]> {
    if (limits.live <= 0 && limits.replay <= 0) return [];
    const pick = (live: boolean, limit: string) => `
      SELECT s.id FROM build_sessions s
      WHERE ${NEVER_CLAIMED} AND (s.agent = ANY($5::text[])) = ${live}
        AND EXISTS (SELECT 1 FROM build_requests r WHERE r.session_id = s.id)
      ORDER BY s.created_at, s.id LIMIT ${limit} FOR UPDATE SKIP LOCKED`;
    return this.dataSource.query(
      `WITH live AS (${pick(true, '$3')}), replay AS (${pick(false, '$4')}),
       claimed AS (
         UPDATE build_sessions AS b SET worker_id = $1, lease_expires_at = ${UNTIL}
         WHERE b.id IN (SELECT id FROM live UNION ALL SELECT id FROM replay)
         RETURNING b.id, b.project_id, b.created_at, b.agent)
       SELECT id AS "sessionId", project_id AS "projectId",
         CASE WHEN agent = ANY($5::text[]) THEN 'live' ELSE 'replay' END AS lane
       FROM claimed ORDER BY created_at, id`,
      [workerId, leaseMs, Math.max(limits.live, 0), Math.max(limits.replay, 0), LIVE_AGENTS],
    );
  }

  /**
   * Extends the leases of `workerId` on the live sessions among `sessionIds` (the builds it is
   * actually running: a build it gave up must run out); returns the ids it still holds.
   */
  async renew(workerId: string, leaseMs: number, sessionIds: readonly string[]): Promise<Set<string>> {
    const ids = sessionIds.filter(isUuid);
    if (ids.length === 0) return new Set();
    const rows = await this.dataSource.query<{ id: string }[]>(
      `WITH renewed AS (
         UPDATE build_sessions AS s SET lease_expires_at = ${UNTIL}
         WHERE s.id = ANY($3::uuid[]) AND s.worker_id = $1 AND ${LIVE} RETURNING s.id)
       SELECT id FROM renewed`,
      [workerId, leaseMs, ids],
    );
    return new Set(rows.map((row) => row.id));
  }

  /**
   * Gives up `workerId`'s lease on a live session now (its build could not be ended), so that
   * the next sweep ends it instead of waiting for the lease to run out.
   */
  async release(sessionId: string, workerId: string): Promise<void> {
    if (!isUuid(sessionId)) return;
    await this.dataSource.query(
      `WITH released AS (
         UPDATE build_sessions AS s SET lease_expires_at = clock_timestamp() - interval '1 millisecond'
         WHERE s.id = $1 AND s.worker_id = $2 AND ${LIVE} RETURNING s.id)
       SELECT id FROM released`,
      [sessionId, workerId],
    );
  }

  /**
   * Live sessions whose worker is presumed dead, oldest lease first. An external session's
   * lease is its last append (see EventStore's `ingest`): expired, its runner went quiet.
   */
  async expired(limit = 100): Promise<{ id: string; workerId: string | null; external: boolean }[]> {
    return this.dataSource.query(
      `SELECT s.id, s.worker_id AS "workerId", s.agent = 'external' AS external FROM build_sessions s
       WHERE ${LIVE} AND ${LEASE_EXPIRED} ORDER BY s.lease_expires_at NULLS FIRST LIMIT $1`,
      [limit],
    );
  }
}
