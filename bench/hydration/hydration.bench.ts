// Hydration: the snapshot of a session with 5,000 tool calls and 50 todos, fetched through
// the REST endpoint, with the options of issue 10 side by side in one run (see
// docs/benchmarks.md). Run: npm run bench:hydration
import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import type { INestApplication } from '@nestjs/common';
import { loadConfig } from '#config';
import type { NewBuildEvent, Snapshot, Todo } from '#contracts';
import { BuildReadModel, EventStore } from '#persistence';
import { createApi } from '../../apps/api/src/create-api.js';
import {
  BENCH_ADMIN_KEY,
  BENCH_AUTHORIZATION,
  createBenchDatabase,
  percentile,
} from '../support/bench-utils.js';

const TOOL_CALLS = 5000;
const TODOS = 50;
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);
/** The output of every call of the "large outputs" build (a file read, a test log). */
const LARGE_OUTPUT_BYTES = Number(process.env.BENCH_LARGE_OUTPUT_BYTES ?? 4096);

/** How each API of the run serves snapshots; `before` is the server as it was (no preview, no cache). */
const APIS = {
  before: { SNAPSHOT_PREVIEW_CHARS: '0', SNAPSHOT_CACHE_BYTES: '0' },
  after: {},
  'after, preview 512': { SNAPSHOT_PREVIEW_CHARS: '512' },
} satisfies Record<string, Record<string, string>>;
type ApiName = keyof typeof APIS;

const ENCODINGS = { identity: 'identity', gzip: 'gzip', br: 'br' } as const;

function seedEvents(output: (n: number) => string): NewBuildEvent[][] {
  const todos = Array.from({ length: TODOS }, (_, i): Todo => ({
    content: `Todo ${i + 1}: make part ${i + 1} of the feature work`,
    activeForm: `Making part ${i + 1}`,
    status: i < 25 ? 'completed' : i === 25 ? 'in_progress' : 'pending',
  }));
  const batches: NewBuildEvent[][] = [
    [
      {
        type: 'session.started',
        data: { agentId: 'bench', model: 'bench-model', projectName: 'hydration bench' },
      },
      { type: 'todos.updated', data: { todos } },
    ],
  ];
  for (let start = 0; start < TOOL_CALLS; start += 100) {
    const batch: NewBuildEvent[] = [];
    for (let n = start; n < start + 100; n++) {
      const id = `call-${n}`;
      batch.push({
        type: 'tool.started',
        data: {
          toolCallId: id,
          name: n % 3 ? 'Read' : 'Bash',
          input: { file_path: `src/module-${n}/index.ts` },
          todoIndex: n % TODOS,
        },
      });
      batch.push({
        type: 'tool.finished',
        data: { toolCallId: id, output: output(n), isError: n % 97 === 0 },
      });
    }
    batches.push(batch);
  }
  return batches;
}

const smallOutput = (n: number) => `export const part${n} = ${n};\n`.repeat(4);
/** Source-like lines, different per call (compression should not find one repeated block). */
const largeOutput = (n: number) => {
  let text = '';
  for (let line = 0; text.length < LARGE_OUTPUT_BYTES; line++) {
    text += `${String(line + 1).padStart(4)}  export function part${n}_${line}(x: number) { return x * ${(n * 31 + line) % 997}; }\n`;
  }
  return text.slice(0, LARGE_OUTPUT_BYTES);
};

interface Scenario {
  name: string;
  api: ApiName;
  session: 'small' | 'large';
  state: 'running' | 'finished';
  encoding: keyof typeof ENCODINGS;
  /** A running build gets an event between two requests: every request meets a new seq. */
  changing?: boolean;
  /** The client sends the validator of its previous answer. */
  revalidate?: boolean;
  requests?: number;
}

const SCENARIOS: Scenario[] = [
  { name: 'before: finished', api: 'before', session: 'small', state: 'finished', encoding: 'identity' },
  {
    name: 'running, new event before each GET',
    api: 'after',
    session: 'small',
    state: 'running',
    encoding: 'identity',
    changing: true,
  },
  {
    name: 'running, new event before each GET',
    api: 'after',
    session: 'small',
    state: 'running',
    encoding: 'gzip',
    changing: true,
  },
  {
    name: 'running, new event before each GET',
    api: 'after',
    session: 'small',
    state: 'running',
    encoding: 'br',
    changing: true,
  },
  { name: 'running, unchanged', api: 'after', session: 'small', state: 'running', encoding: 'identity' },
  { name: 'finished', api: 'after', session: 'small', state: 'finished', encoding: 'identity' },
  { name: 'finished', api: 'after', session: 'small', state: 'finished', encoding: 'gzip' },
  { name: 'finished', api: 'after', session: 'small', state: 'finished', encoding: 'br' },
  {
    name: 'finished, If-None-Match',
    api: 'after',
    session: 'small',
    state: 'finished',
    encoding: 'br',
    revalidate: true,
  },
  {
    name: 'large outputs, before: finished',
    api: 'before',
    session: 'large',
    state: 'finished',
    encoding: 'identity',
    requests: 30,
  },
  {
    name: 'large outputs, running, new event before each GET',
    api: 'after',
    session: 'large',
    state: 'running',
    encoding: 'identity',
    changing: true,
  },
  {
    name: 'large outputs, running, new event before each GET',
    api: 'after, preview 512',
    session: 'large',
    state: 'running',
    encoding: 'identity',
    changing: true,
  },
  {
    name: 'large outputs, running, new event before each GET',
    api: 'after',
    session: 'large',
    state: 'running',
    encoding: 'br',
    changing: true,
  },
];

async function main(): Promise<void> {
  const database = await createBenchDatabase();
  const apis = new Map<ApiName, { app: INestApplication; port: number }>();
  try {
    for (const [name, env] of Object.entries(APIS) as [ApiName, Record<string, string>][]) {
      // Every REST route needs a credential: the bench reads as the admin key.
      const config = loadConfig({ DATABASE_URL: database.url, BUILDCAST_ADMIN_KEY: BENCH_ADMIN_KEY, ...env });
      const app = await createApi(config, ['error', 'warn']);
      await app.listen(0, '127.0.0.1');
      apis.set(name, { app, port: (app.getHttpServer().address() as { port: number }).port });
    }
    const { app } = apis.get('before')!;
    const readModel = app.get(BuildReadModel);
    const store = app.get(EventStore);
    const project = await readModel.createProject('hydration bench');
    const sessions = new Map<string, string>();
    for (const [kind, output] of [
      ['small', smallOutput],
      ['large', largeOutput],
    ] as const) {
      for (const state of ['running', 'finished'] as const) {
        const session = await readModel.createQueuedSession({
          projectId: project.id,
          agent: 'demo',
          agentId: 'bench',
          model: null,
          prompt: null,
          startedBy: { keyId: null, keyName: 'BUILDCAST_ADMIN_KEY', keyPrefix: null },
        });
        for (const batch of seedEvents(output)) await store.append(session!.id, batch);
        if (state === 'finished') {
          await store.append(session!.id, [{ type: 'session.finished', data: { status: 'completed' } }]);
        }
        sessions.set(`${kind} ${state}`, session!.id);
      }
    }

    console.log(
      `Hydration: GET snapshot with ${TOOL_CALLS} tool calls and ${TODOS} todos, sequential requests after 10 warm-up ones; ` +
        `"small" outputs ~120 B, "large" ${LARGE_OUTPUT_BYTES} B\n`,
    );
    console.log(
      '| scenario | API | Accept-Encoding | requests | status | body KiB | on the wire KiB | p50 ms | p90 ms | p99 ms | max ms |',
    );
    console.log('|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const scenario of SCENARIOS) {
      const sessionId = sessions.get(`${scenario.session} ${scenario.state}`)!;
      const url = `http://127.0.0.1:${apis.get(scenario.api)!.port}/api/projects/${project.id}/builds/${sessionId}`;
      const requests = scenario.requests ?? REQUESTS;
      let etag: string | null = null;
      let body = 0;
      let wire = 0;
      let status = 0;
      const latencies: number[] = [];
      for (let i = 0; i < 10 + requests; i++) {
        if (scenario.changing) {
          await store.append(sessionId, [
            { type: 'message', data: { role: 'assistant', text: `step ${i}` } },
          ]);
        }
        const headers: Record<string, string> = {
          ...BENCH_AUTHORIZATION,
          'accept-encoding': ENCODINGS[scenario.encoding],
          ...(scenario.revalidate && etag ? { 'if-none-match': etag } : {}),
        };
        const t0 = performance.now();
        const response = await fetch(url, { headers });
        const text = await response.text(); // decoded, as a client gets it
        const elapsed = performance.now() - t0;
        etag = response.headers.get('etag');
        if (i < 10) {
          if (i === 0) {
            const snapshot = JSON.parse(text) as Snapshot;
            if (snapshot.toolCalls.length !== TOOL_CALLS || snapshot.todos.length !== TODOS)
              throw new Error('bad snapshot');
          }
          continue;
        }
        latencies.push(elapsed);
        status = response.status;
        body = Buffer.byteLength(text);
        wire = Number(response.headers.get('content-length') ?? body);
      }
      latencies.sort((a, b) => a - b);
      const ms = (p: number) => percentile(latencies, p).toFixed(1);
      console.log(
        `| ${scenario.name} | ${scenario.api} | ${scenario.encoding} | ${requests} | ${status} | ${(body / 1024).toFixed(0)} | ` +
          `${(wire / 1024).toFixed(0)} | ${ms(50)} | ${ms(90)} | ${ms(99)} | ${latencies.at(-1)!.toFixed(1)} |`,
      );
    }
  } finally {
    for (const { app } of apis.values()) await app.close();
    await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
