// The Postgres side of an append: the CPU that the database's backend spends per committed
// event, with the storage choices of issue 10 side by side in one run (docs/benchmarks.md,
// "Postgres' share of an append"). Each variant gets a database of its own, migrated, then
// changed back to one option of before. Run: npm run bench:ingest-storage
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import pg from 'pg';
import type { BuildEvent, NewBuildEvent } from '#contracts';
import { BuildReadModel, EventStore, prepareDatabase } from '#persistence';
import { createBenchDatabase, median, realisticEvents, take } from '../support/bench-utils.js';

/** `small`: realisticEvents (outputs of a few dozen bytes); `large`: every output OUTPUT_KB KiB. */
const EVENTS = process.env.BENCH_STORAGE_EVENTS ?? 'small';
const OUTPUT_KB = Number(process.env.BENCH_STORAGE_OUTPUT_KB ?? 16);
const BATCH = Number(process.env.BENCH_STORAGE_BATCH ?? (EVENTS === 'large' ? 60 : 400));
const APPENDS = Number(process.env.BENCH_STORAGE_APPENDS ?? 25);
const SESSIONS = Number(process.env.BENCH_STORAGE_SESSIONS ?? 4);
const ROUNDS = Number(process.env.BENCH_STORAGE_ROUNDS ?? 5);

interface Variant {
  /** SQL run on the migrated database. */
  setup?: string;
  /** The store's named statements as this variant writes them. */
  statements?: Record<string, (text: string) => string>;
  /** Their parameters as this variant sends them. */
  parameters?: Record<string, (values: unknown[]) => unknown[]>;
}

// How main looked up a batch's stored tool calls: joined on their ids (see event-store.ts).
const JOINED_LOOKUPS: Variant['statements'] = {
  event_store_lock: (text) =>
    replaced(
      text,
      /array\(SELECT id FROM unnest\(\$2::text\[\]\) AS id\s+WHERE \(SELECT true FROM tool_calls c WHERE \(c\.session_id, c\.tool_call_id\) = \(s\.id, id\)\)\)/,
      'array(SELECT c.tool_call_id FROM unnest($2::text[]) AS id JOIN tool_calls c ON (c.session_id, c.tool_call_id) = (s.id, id))',
    ),
  event_store_write: (text) =>
    [
      ['4', '0', 'c ->> 0'], // finished calls come as arrays, the id first
      ['6', "'id'", 'f.id'],
    ].reduce(
      (sql, [param, idKey, rowId]) =>
        replaced(
          sql,
          new RegExp(
            String.raw`WHERE t\.ctid = ANY\(ARRAY\(\s+SELECT \(SELECT k\.ctid FROM tool_calls k WHERE \(k\.session_id, k\.tool_call_id\) = \(\$1, e ->> ${idKey}\)\)\s+FROM jsonb_array_elements\(\$${param}::jsonb\) AS e\)\)\s+AND t\.tool_call_id = ${rowId.replaceAll('.', '\\.')}`,
          ),
          `WHERE t.session_id = $1 AND t.tool_call_id = ${rowId}`,
        ),
      text,
    ),
};

// The events as arrays of columns (seq int[], type text[], data jsonb[] in binary format)
// instead of one jsonb list for jsonb_to_recordset: each event's data is parsed and encoded
// once, where the list is parsed whole and every data encoded again per row.
const COLUMN_ARRAYS: Pick<Variant, 'statements' | 'parameters'> = {
  statements: {
    event_store_write: (text) =>
      replaced(
        text,
        /FROM jsonb_to_recordset\(\$2::jsonb\) AS e\(seq int, type text, data jsonb\)/,
        'FROM unnest($21::int[], $22::text[], $2::jsonb[]) AS e(seq, type, data)',
      ),
  },
  parameters: {
    event_store_write: (values) => {
      const events = JSON.parse((values[1] as Buffer).subarray(1).toString()) as BuildEvent[];
      const data = events.map((event) => Buffer.from(`\u0001${JSON.stringify(event.data)}`));
      const seqs = events.map((event) => event.seq);
      const types = events.map((event) => event.type);
      return [values[0], binaryArray(JSONB_OID, data), ...values.slice(2), seqs, types];
    },
  },
};

const JSONB_OID = 3802;

/** A one-dimensional array without NULLs in Postgres' binary format. */
function binaryArray(elementOid: number, elements: Buffer[]): Buffer {
  const header = Buffer.alloc(20);
  header.writeInt32BE(1, 0); // dimensions
  header.writeInt32BE(0, 4); // no NULLs
  header.writeUInt32BE(elementOid, 8);
  header.writeInt32BE(elements.length, 12);
  header.writeInt32BE(1, 16); // lower bound
  const parts: Buffer[] = [header];
  for (const element of elements) {
    const length = Buffer.alloc(4);
    length.writeInt32BE(element.length);
    parts.push(length, element);
  }
  return Buffer.concat(parts);
}

// tool_call_id compared bytewise: the databases here are C.UTF-8, which Postgres 15 compares with strcoll.
const C_COLLATION = `ALTER TABLE tool_calls ALTER COLUMN tool_call_id TYPE text COLLATE "C"`;

const FOREIGN_KEYS = ['build_events', 'tool_calls']
  .map(
    (table) => `ALTER TABLE ${table} ADD CONSTRAINT fk_${table}_session FOREIGN KEY (session_id)
      REFERENCES build_sessions (id) ON DELETE CASCADE`,
  )
  .join(';\n');

// A foreign key checked once per statement (on the rows it inserted) instead of once per row.
const STATEMENT_CHECK = `
  CREATE FUNCTION rows_have_session() RETURNS trigger LANGUAGE plpgsql AS $$
  DECLARE
    session uuid;
  BEGIN
    FOR session IN SELECT DISTINCT session_id FROM inserted LOOP
      PERFORM FROM build_sessions WHERE id = session FOR KEY SHARE;
      IF NOT FOUND THEN
        RAISE EXCEPTION 'no session %', session USING ERRCODE = 'foreign_key_violation';
      END IF;
    END LOOP;
    RETURN NULL;
  END $$;
  CREATE TRIGGER build_events_session AFTER INSERT ON build_events REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION rows_have_session();
  CREATE TRIGGER tool_calls_session AFTER INSERT ON tool_calls REFERENCING NEW TABLE AS inserted
    FOR EACH STATEMENT EXECUTE FUNCTION rows_have_session();`;

const PGLZ = `ALTER TABLE build_events ALTER COLUMN data SET COMPRESSION pglz;
  ALTER TABLE tool_calls ALTER COLUMN input SET COMPRESSION pglz, ALTER COLUMN output SET COMPRESSION pglz,
    ALTER COLUMN full_output SET COMPRESSION pglz`;

const VARIANTS: Record<string, Variant> = {
  'as built': {},
  'per-row foreign keys': { setup: FOREIGN_KEYS },
  'statement-level check': { setup: STATEMENT_CHECK },
  'joined lookups': { statements: JOINED_LOOKUPS },
  pglz: { setup: PGLZ },
  'events as column arrays': COLUMN_ARRAYS,
  'C collation': { setup: C_COLLATION },
  'before (all three)': { setup: `${FOREIGN_KEYS};\n${PGLZ}`, statements: JOINED_LOOKUPS },
};
const CHOSEN = (process.env.BENCH_STORAGE_VARIANTS ?? Object.keys(VARIANTS).join(',')).split(',');

function replaced(text: string, pattern: RegExp, replacement: string): string {
  if (!pattern.test(text)) throw new Error(`the store's SQL changed: ${pattern} no longer matches`);
  return text.replace(pattern, () => replacement);
}

/** realisticEvents with every tool output a test log of OUTPUT_KB KiB (TOASTed, compressed). */
function* largeOutputEvents(prefix: string): Generator<NewBuildEvent> {
  let n = 0;
  for (const event of realisticEvents(prefix)) {
    if (event.type !== 'tool.finished') {
      yield event;
      continue;
    }
    const lines: string[] = [];
    for (let i = 0, bytes = 0; bytes < OUTPUT_KB * 1024; i++) {
      const line = `  ✓ ${prefix} suite ${n} case ${i} renders the ${['header', 'list', 'form'][i % 3]} (${(i * 7 + n) % 97} ms)`;
      lines.push(line);
      bytes += line.length + 1;
    }
    n++;
    yield { ...event, data: { ...event.data, output: lines.join('\n') } };
  }
}

let current: Variant = {};
const query = pg.Client.prototype.query;
pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
  const statement = args[0] as { name?: string; text?: string; values?: unknown[] } | undefined;
  const rewrite = statement?.name && current.statements?.[statement.name];
  if (rewrite) args[0] = { ...statement, text: rewrite(statement.text!) };
  const rewriteValues = statement?.name && current.parameters?.[statement.name];
  if (rewriteValues) args[0] = { ...(args[0] as object), values: rewriteValues(statement.values!) };
  return (query as (...a: unknown[]) => unknown).apply(this, args);
} as typeof query;

/** Backend CPU µs per appended event, for one variant in a database of its own. */
async function measure(variant: Variant): Promise<number> {
  const database = await createBenchDatabase();
  const dataSource = await prepareDatabase(database.url, { poolSize: 1 });
  try {
    if (variant.setup) await dataSource.query(variant.setup);
    // Many short sessions besides, as in a database in use: the planner expects few calls per session.
    await dataSource.query(`
      WITH p AS (INSERT INTO projects (name) VALUES ('others') RETURNING id),
      s AS (INSERT INTO build_sessions (project_id, status, agent, agent_id, project_name)
            SELECT p.id, 'completed', 'demo', 'bench', 'others' FROM p, generate_series(1, 5000) RETURNING id)
      INSERT INTO tool_calls (session_id, tool_call_id, name, input, status, started_at, started_seq)
      SELECT s.id, 'x' || g, 'Bash', '{}', 'succeeded', now(), g FROM s, generate_series(1, 3) g`);
    await dataSource.query('ANALYZE');
    current = variant;
    const store = new EventStore(dataSource);
    const readModel = new BuildReadModel(dataSource);
    const project = await readModel.createProject('storage bench');
    const [{ pid }] = await dataSource.query<{ pid: number }[]>('SELECT pg_backend_pid() AS pid');
    const cpuMs = () => Number(readFileSync(`/proc/${pid}/schedstat`, 'utf8').split(' ')[0]) / 1e6;
    let ms = 0;
    for (let s = 0; s < SESSIONS; s++) {
      const session = await readModel.createQueuedSession({
        projectId: project.id,
        agent: 'demo',
        agentId: 'bench',
        model: null,
        prompt: null,
      });
      const source = EVENTS === 'large' ? largeOutputEvents(`s${s}`) : realisticEvents(`s${s}`);
      for (let i = 0; i < 3; i++) await store.append(session!.id, take(source, BATCH)); // warm-up
      const before = cpuMs();
      for (let i = 0; i < APPENDS; i++) await store.append(session!.id, take(source, BATCH));
      ms += cpuMs() - before;
    }
    return (ms * 1000) / (SESSIONS * APPENDS * BATCH);
  } finally {
    current = {};
    await dataSource.destroy();
    await database.drop();
  }
}

async function main(): Promise<void> {
  const runs = new Map<string, number[]>(CHOSEN.map((name) => [name, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of CHOSEN) {
      if (!VARIANTS[name]) throw new Error(`unknown variant ${name}`);
      runs.get(name)!.push(await measure(VARIANTS[name]));
    }
    console.error(`round ${round + 1}/${ROUNDS}: done`);
  }
  const base = median(runs.get(CHOSEN[0])!);
  const outputs = EVENTS === 'large' ? `${OUTPUT_KB} KiB tool outputs` : 'realistic events';
  console.log(
    `Backend CPU per event, ${outputs}, ${BATCH} per append, ${SESSIONS} sessions × ${APPENDS} appends, median of ${ROUNDS} rounds\n`,
  );
  console.log(`| variant | µs per event | × ${CHOSEN[0]} | rounds |`);
  console.log('|---|---:|---:|---|');
  for (const [name, values] of runs) {
    const rounds = values.map((value) => value.toFixed(1)).join(' ');
    console.log(
      `| ${name} | ${median(values).toFixed(1)} | ${(median(values) / base).toFixed(2)} | ${rounds} |`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
