import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import type { NewBuildEvent, Todo } from '#contracts';

/**
 * The admin key bench gateways run with (BUILDCAST_ADMIN_KEY) and bench sockets present as
 * `Authorization: Bearer`; BENCH_ADMIN_KEY sets another (at least 32 characters).
 */
export const BENCH_ADMIN_KEY =
  process.env.BENCH_ADMIN_KEY ?? 'bc_benchadmin_0123456789abcdefghijklmnopqrstuv';

/** The header bench REST requests carry (builds from before authentication ignore it). */
export const BENCH_AUTHORIZATION = { authorization: `Bearer ${BENCH_ADMIN_KEY}` };

const ADMIN_URL = process.env.BENCH_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A throwaway database for one benchmark run. */
export async function createBenchDatabase(): Promise<{ url: string; drop: () => Promise<void> }> {
  const name = `buildcast_bench_${randomBytes(4).toString('hex')}`;
  const admin = async (sql: string) => {
    const client = new pg.Client({ connectionString: ADMIN_URL });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE "${name}"`);
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

/**
 * Starts measuring the CPU time of one database's backends (a pool's connections, whichever
 * connect meanwhile), read from /proc/<pid>/schedstat: the returned function gives the ms
 * they spent since, NaN where /proc cannot tell (a remote server). Other databases' backends
 * on the same server do not count, nor do Postgres' own processes (WAL writer, checkpointer).
 */
export async function backendCpuMeter(
  query: (sql: string) => Promise<{ pid: number }[]>,
): Promise<() => Promise<number>> {
  const backends = () => query('SELECT pid FROM pg_stat_activity WHERE datname = current_database()');
  const start = cpuByPid(await backends());
  return async () => {
    let ns = 0;
    for (const [pid, now] of cpuByPid(await backends())) ns += now - (start.get(pid) ?? 0);
    return ns / 1e6;
  };
}

function cpuByPid(rows: { pid: number }[]): Map<number, number> {
  const cpu = new Map<number, number>();
  for (const { pid } of rows) {
    try {
      cpu.set(pid, Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]));
    } catch {
      cpu.set(pid, NaN); // not on this machine, or gone meanwhile
    }
  }
  return cpu;
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)];
}

export const median = (values: number[]): number =>
  percentile(
    [...values].sort((a, b) => a - b),
    50,
  );

/** A realistic event stream: todos moving on, tool calls started and finished, some narration. */
export function* realisticEvents(prefix: string): Generator<NewBuildEvent> {
  const todos = Array.from({ length: 6 }, (_, i): Todo => ({
    content: `Step ${i + 1} of the build`,
    activeForm: `Working on step ${i + 1}`,
    status: 'pending',
  }));
  for (let n = 0; ; n++) {
    const active = Math.floor(n / 20) % todos.length;
    if (n % 20 === 0) {
      todos.forEach(
        (todo, i) => (todo.status = i < active ? 'completed' : i === active ? 'in_progress' : 'pending'),
      );
      yield { type: 'todos.updated', data: { todos: todos.map((todo) => ({ ...todo })) } };
    }
    const id = `${prefix}-${n}`;
    yield {
      type: 'tool.started',
      data: { toolCallId: id, name: 'Bash', input: { command: `npm test -- part-${n}` }, todoIndex: active },
    };
    yield {
      type: 'tool.finished',
      data: { toolCallId: id, output: `PASS part-${n}\n  ✓ works (${n % 17} ms)\n`, isError: n % 50 === 49 },
    };
    if (n % 10 === 9)
      yield { type: 'message', data: { role: 'assistant', text: `Finished part ${n}; moving on.` } };
  }
}

export function take<T>(source: Iterator<T>, count: number): T[] {
  const items: T[] = [];
  for (let i = 0; i < count; i++) items.push(source.next().value as T);
  return items;
}
