import 'reflect-metadata';
import type pg from 'pg';
import type { DataSource } from 'typeorm';
import type { NewBuildEvent } from '#contracts';
import { openTestPersistence, queuedDemoSession, type TestPersistence } from '../support/database.js';
import { EventStore, type BuildReadModel } from '#persistence';

// The storage side of the append (migration IngestStorage1764700000000): no per-row foreign
// key on the log tables but the same cascade, lz4 where the server has it, and lookups of a
// batch's stored tool calls that read those calls only, however long the session.

const started = (toolCallId: string): NewBuildEvent => ({
  type: 'tool.started',
  data: { toolCallId, name: 'Bash', input: { command: `run ${toolCallId}` }, todoIndex: null },
});
const finished = (toolCallId: string): NewBuildEvent => ({
  type: 'tool.finished',
  data: { toolCallId, output: `done ${toolCallId}`, isError: false },
});

interface PlanNode {
  'Relation Name'?: string;
  'Node Type': string;
  'Actual Rows': number;
  'Actual Loops': number;
  Plans?: PlanNode[];
}

/** Rows that the plan's scans of `table` returned, over all their loops. */
function rowsRead(node: PlanNode, table: string): number {
  const own =
    node['Relation Name'] === table && node['Node Type'] !== 'ModifyTable'
      ? node['Actual Rows'] * node['Actual Loops']
      : 0;
  return own + (node.Plans ?? []).reduce((sum, child) => sum + rowsRead(child, table), 0);
}

type Query = (...args: unknown[]) => Promise<pg.QueryResult>;

describe('ingest storage', () => {
  let persistence: TestPersistence;
  let dataSource: DataSource;
  let store: EventStore;
  let readModel: BuildReadModel;
  let projectId: string;

  beforeAll(async () => {
    // One connection, so the append's statements go through the client patched below.
    persistence = await openTestPersistence(1);
    ({ dataSource, store, readModel } = persistence);
    projectId = (await readModel.createProject('ingest storage tests')).id;
  });

  afterAll(() => persistence?.close());

  async function newSession(): Promise<string> {
    return (await queuedDemoSession(readModel, projectId)).id;
  }

  const count = async (table: string, sessionId: string) => {
    const [row] = await dataSource.query<{ n: number }[]>(
      `SELECT count(*)::int AS n FROM ${table} WHERE session_id = $1`,
      [sessionId],
    );
    return row.n;
  };

  /**
   * `store.append`, with its lock and write statements each explained (EXPLAIN ANALYZE of a
   * generic plan) instead of executed: the plans, by statement name.
   */
  async function explainedAppend(
    appender: EventStore,
    sessionId: string,
    events: NewBuildEvent[],
    fullOutputs: Map<string, string>,
  ): Promise<Map<string, PlanNode>> {
    const plans = new Map<string, PlanNode>();
    const client = await (dataSource.driver as unknown as { master: pg.Pool }).master.connect();
    client.release();
    const query = client.query.bind(client) as unknown as Query;
    (client as unknown as { query: Query }).query = async (...args: unknown[]) => {
      const statement = args[0] as {
        name?: string;
        text: string;
        values: (string | number | string[] | Buffer | null)[];
      };
      if (statement?.name !== 'event_store_lock' && statement?.name !== 'event_store_write') {
        return query(...args);
      }
      const result = statement.name === 'event_store_lock' ? await query(...args) : undefined;
      await query(`PREPARE probe AS ${statement.text}`);
      await query('SET plan_cache_mode = force_generic_plan');
      const literals = statement.values.map((value) =>
        value === null
          ? 'NULL'
          : Array.isArray(value)
            ? `ARRAY[${value.map((item) => client.escapeLiteral(String(item))).join(', ')}]::text[]`
            : Buffer.isBuffer(value) // jsonb in binary format: its version byte, then the text
              ? client.escapeLiteral(value.subarray(1).toString('utf8'))
              : client.escapeLiteral(String(value)),
      );
      const explained = await query(`EXPLAIN (ANALYZE, FORMAT JSON) EXECUTE probe(${literals.join(', ')})`);
      await query('RESET plan_cache_mode');
      await query('DEALLOCATE probe');
      plans.set(
        statement.name,
        (explained.rows[0] as { 'QUERY PLAN': [{ Plan: PlanNode }] })['QUERY PLAN'][0].Plan,
      );
      return result ?? explained;
    };
    try {
      await appender.append(sessionId, events, { fullOutputs });
    } finally {
      delete (client as unknown as { query?: Query }).query;
    }
    return plans;
  }

  it('deletes the events and tool calls of a deleted session, and of a deleted project', async () => {
    const kept = await newSession();
    const deleted = await newSession();
    for (const sessionId of [kept, deleted]) {
      await store.append(sessionId, [started('c1'), finished('c1'), started('c2')]);
    }
    await readModel.deleteSession(deleted);
    expect([await count('build_events', deleted), await count('tool_calls', deleted)]).toEqual([0, 0]);
    expect([await count('build_events', kept), await count('tool_calls', kept)]).toEqual([3, 2]);

    const other = await readModel.createProject('deleted with its sessions');
    const session = (await readModel.createQueuedSession({
      projectId: other.id,
      agent: 'demo',
      agentId: 'demo',
      model: null,
      prompt: null,
    }))!.id;
    await store.append(session, [started('c1')]);
    await dataSource.query('DELETE FROM projects WHERE id = $1', [other.id]);
    expect([await count('build_events', session), await count('tool_calls', session)]).toEqual([0, 0]);
  });

  it('compresses agent output with lz4 when the server has it, else with pglz', async () => {
    const [{ lz4 }] = await dataSource.query<{ lz4: boolean }[]>(
      `SELECT 'lz4' = ANY(enumvals) AS lz4 FROM pg_settings WHERE name = 'default_toast_compression'`,
    );
    const sessionId = await newSession();
    // Compressible and larger than a TOAST tuple (2 kB): stored compressed, in both tables.
    const output = Array.from({ length: 400 }, (_, i) => `  ✓ case ${i} passes`).join('\n');
    await store.append(sessionId, [
      started('big'),
      { type: 'tool.finished', data: { toolCallId: 'big', output, isError: false } },
    ]);
    const [stored] = await dataSource.query<{ event: string; call: string }[]>(
      `SELECT (SELECT pg_column_compression(data) FROM build_events WHERE session_id = $1 AND seq = 2) AS event,
              (SELECT pg_column_compression(output) FROM tool_calls WHERE session_id = $1) AS call`,
      [sessionId],
    );
    const method = lz4 ? 'lz4' : 'pglz';
    expect(stored).toEqual({ event: method, call: method });
  });

  it('reads only the stored calls a batch names, not every call of a long session', async () => {
    // Many short sessions, as in a real database: the planner expects few calls per session,
    // which is when a join on the session alone would hash all of a long session's calls.
    await dataSource.query(
      `WITH s AS (
         INSERT INTO build_sessions (project_id, status, agent, agent_id, project_name)
         SELECT $1, 'completed', 'demo', 'demo', 'short' FROM generate_series(1, 2000) RETURNING id)
       INSERT INTO tool_calls (session_id, tool_call_id, name, input, status, started_at, started_seq)
       SELECT s.id, 'x' || g, 'Bash', '{}', 'succeeded', now(), g FROM s, generate_series(1, 3) g`,
      [projectId],
    );
    const sessionId = await newSession();
    for (let batch = 0; batch < 10; batch++) {
      const ids = Array.from({ length: 50 }, (_, i) => `b${batch}-${i}`);
      await store.append(sessionId, [...ids.map(started), ...ids.slice(2).map(finished)]);
    }
    await dataSource.query('ANALYZE build_sessions, tool_calls');
    expect(await count('tool_calls', sessionId)).toBe(500);

    // The next appends, their lock and write statements explained (generic plans, as a named
    // statement gets after its first executions) and executed once. The store that wrote the
    // session appends from its last write (the write statement alone, its guard included);
    // another store takes the lock first.
    const unlocked = await explainedAppend(
      store,
      sessionId,
      [finished('b9-0'), finished('b9-1'), started('n1'), finished('n1'), started('n2')],
      new Map([
        ['b9-0', 'all of b9-0'],
        ['b8-5', 'all of b8-5'],
      ]),
    );
    const locked = await explainedAppend(
      new EventStore(dataSource),
      sessionId,
      [finished('b8-0'), finished('b8-1'), started('n3'), finished('n3'), started('n4')],
      new Map([
        ['b8-0', 'all of b8-0'],
        ['b8-6', 'all of b8-6'],
      ]),
    );

    expect([...unlocked.keys()]).toEqual(['event_store_write']);
    expect([...locked.keys()].sort()).toEqual(['event_store_lock', 'event_store_write']);
    // Each stored id at most twice (found, then fetched to be updated); hashing the session's
    // calls would read all 500. The guard finds each of the batch's stored ids once more.
    expect(rowsRead(unlocked.get('event_store_write')!, 'tool_calls')).toBeLessThanOrEqual(2 * 3 + 2);
    expect(rowsRead(locked.get('event_store_lock')!, 'tool_calls')).toBeLessThanOrEqual(2 * 2); // b8-0, b8-1
    expect(rowsRead(locked.get('event_store_write')!, 'tool_calls')).toBeLessThanOrEqual(2 * 3); // and b8-6
    const [calls] = await dataSource.query<{ ended: number; full: string }[]>(
      `SELECT count(*) FILTER (WHERE ended_at IS NOT NULL)::int AS ended,
              string_agg(full_output, ',' ORDER BY tool_call_id) AS full
       FROM tool_calls WHERE session_id = $1`,
      [sessionId],
    );
    expect(calls).toEqual({
      ended: 480 + 2 * (2 + 1),
      full: 'all of b8-0,all of b8-5,all of b8-6,all of b9-0',
    });
  });
});
