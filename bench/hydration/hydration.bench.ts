// Hydration: the snapshot of a session with 5,000 tool calls and 50 todos, fetched through
// the REST endpoint, with the options of issue 10 side by side in one run (see
// docs/benchmarks.md). Run: npm run bench:hydration
import 'reflect-metadata';
import http from 'node:http';
import { performance } from 'node:perf_hooks';
import zlib from 'node:zlib';
import type { INestApplication } from '@nestjs/common';
import { loadConfig } from '#config';
import type { NewBuildEvent, Snapshot, Todo } from '#contracts';
import { BuildReadModel, EventStore } from '#persistence';
import { createApi } from '../../apps/api/src/create-api.js';
import {
  BENCH_ADMIN_KEY,
  BENCH_AUTHORIZATION,
  createBenchDatabase,
  median,
  percentile,
} from '../support/bench-utils.js';
import { GZIP_PART_LEVEL } from '../../apps/api/src/builds/snapshots/body-parts.js';
import { CHUNK_CHARS } from '../../apps/api/src/builds/snapshots/snapshot-document.js';

const TOOL_CALLS = 5000;
const TODOS = 50;
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 200);
/** The output of every call of the "large outputs" build (a file read, a test log). */
const LARGE_OUTPUT_BYTES = Number(process.env.BENCH_LARGE_OUTPUT_BYTES ?? 4096);

/**
 * How each API of the run serves snapshots. `before`: no preview, no cache (a build per
 * request). `rebuild per seq`: cache and previews, but a running session's new seq is built
 * again from Postgres (the server before the fold). `after`: the defaults (the cached snapshot
 * folded forward).
 */
const APIS = {
  before: { SNAPSHOT_PREVIEW_CHARS: '0', SNAPSHOT_CACHE_BYTES: '0' },
  'rebuild per seq': { SNAPSHOT_FOLD_MAX_EVENTS: '0' },
  after: {},
  'after, preview 512': { SNAPSHOT_PREVIEW_CHARS: '512' },
} satisfies Record<string, Record<string, string>>;
type ApiName = keyof typeof APIS;

/** What the client sends as Accept-Encoding; `browser` is what browsers send. */
const ENCODINGS = { identity: 'identity', gzip: 'gzip', br: 'br', browser: 'gzip, deflate, br' } as const;

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

const changing = (
  api: ApiName,
  encoding: keyof typeof ENCODINGS,
  session: 'small' | 'large' = 'small',
): Scenario => ({
  name: `${session === 'large' ? 'large outputs, ' : ''}running, new event before each GET`,
  api,
  session,
  state: 'running',
  encoding,
  changing: true,
});

const SCENARIOS: Scenario[] = [
  { name: 'before: finished', api: 'before', session: 'small', state: 'finished', encoding: 'identity' },
  ...(['identity', 'gzip', 'br', 'browser'] as const).flatMap((encoding) => [
    changing('rebuild per seq', encoding),
    changing('after', encoding),
  ]),
  { name: 'running, unchanged', api: 'after', session: 'small', state: 'running', encoding: 'identity' },
  ...(['identity', 'gzip', 'br', 'browser'] as const).map((encoding): Scenario => ({
    name: 'finished',
    api: 'after',
    session: 'small',
    state: 'finished',
    encoding,
  })),
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
  changing('rebuild per seq', 'identity', 'large'),
  changing('after', 'identity', 'large'),
  changing('after, preview 512', 'identity', 'large'),
  changing('rebuild per seq', 'browser', 'large'),
  changing('after', 'browser', 'large'),
];

interface Answer {
  status: number;
  etag: string | null;
  /** Bytes as sent. */
  wire: number;
  /** The decoded body. */
  text: string;
  /** ms to the last byte received. */
  received: number;
  /** ms to the decoded text, as a client gets it. */
  decoded: number;
}

/** A GET over node:http (which decodes nothing): time to the last byte, then to the decoded text. */
function get(url: string, headers: Record<string, string>): Promise<Answer> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers, agent: keepAlive }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => {
          const received = performance.now() - t0;
          const body = Buffer.concat(chunks);
          const coding = response.headers['content-encoding'];
          const plain =
            coding === 'gzip'
              ? zlib.gunzipSync(body)
              : coding === 'br'
                ? zlib.brotliDecompressSync(body)
                : body;
          const text = plain.toString();
          resolve({
            status: response.statusCode!,
            etag: response.headers.etag ?? null,
            wire: body.length,
            text,
            received,
            decoded: performance.now() - t0,
          });
        });
      })
      .on('error', reject);
  });
}

const keepAlive = new http.Agent({ keepAlive: true, maxSockets: 1 });

/** What each content-coding costs on one snapshot body (median of a few, sync, in this process). */
function compressionTable(label: string, body: Buffer): void {
  const runs = 5;
  const time = (compress: () => Buffer | Buffer[]) => {
    const times: number[] = [];
    let out: Buffer | Buffer[] = [];
    for (let i = 0; i < runs; i++) {
      const t0 = performance.now();
      out = compress();
      times.push(performance.now() - t0);
    }
    const bytes = Array.isArray(out) ? out.reduce((sum, b) => sum + b.length, 0) : out.length;
    return `${median(times).toFixed(1)} | ${(bytes / 1024).toFixed(0)}`;
  };
  const brotli = (quality: number) => () =>
    zlib.brotliCompressSync(body, {
      params: {
        [zlib.constants.BROTLI_PARAM_QUALITY]: quality,
        [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_TEXT,
        [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length,
      },
    });
  console.log(
    `\nCompressing the ${label} snapshot (${(body.length / 1024).toFixed(0)} KiB), median of ${runs} (sync, one thread)\n`,
  );
  console.log('| coding | setting | ms | KiB |');
  console.log('|---|---|---:|---:|');
  for (const level of [1, 3, 4, 6])
    console.log(`| gzip | level ${level} | ${time(() => zlib.gzipSync(body, { level }))} |`);
  for (const quality of [1, 2, 4, 5]) console.log(`| br | quality ${quality} | ${time(brotli(quality))} |`);
  // The server's gzip of a running snapshot: parts of ~CHUNK_CHARS, each deflated on its own.
  const parts: Buffer[] = [];
  for (let start = 0; start < body.length; start += CHUNK_CHARS)
    parts.push(body.subarray(start, start + CHUNK_CHARS));
  const deflate = (part: Buffer) =>
    zlib.deflateRawSync(part, { level: GZIP_PART_LEVEL, finishFlush: zlib.constants.Z_SYNC_FLUSH });
  const setting = `level ${GZIP_PART_LEVEL}`;
  console.log(
    `| gzip in parts of ${CHUNK_CHARS / 1024} KiB | ${setting}, every part | ${time(() => parts.map(deflate))} |`,
  );
  console.log(
    `| gzip in parts of ${CHUNK_CHARS / 1024} KiB | ${setting}, one part | ${time(() => deflate(parts[0]))} |`,
  );
}

async function main(): Promise<void> {
  const database = await createBenchDatabase();
  const apis = new Map<ApiName, { app: INestApplication; port: number }>();
  try {
    for (const [name, env] of Object.entries(APIS) as [ApiName, Record<string, string>][]) {
      // Every REST route needs a credential: the bench reads as the admin key.
      // The bench sends more requests a minute than one client may (429 past the rate limits).
      const config = loadConfig({
        DATABASE_URL: database.url,
        BUILDCAST_ADMIN_KEY: BENCH_ADMIN_KEY,
        RATE_LIMIT_PER_MINUTE: '1000000',
        RATE_LIMIT_IP_PER_MINUTE: '1000000',
        ...env,
      });
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
        `"small" outputs ~120 B, "large" ${LARGE_OUTPUT_BYTES} B; "received": to the last byte, p50/p90/p99: to the decoded body\n`,
    );
    console.log(
      '| scenario | API | Accept-Encoding | requests | status | body KiB | on the wire KiB | received p50 ms | received p99 ms | p50 ms | p90 ms | p99 ms | max ms |',
    );
    console.log('|---|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    let finishedBody: Buffer | null = null;
    for (const scenario of SCENARIOS) {
      const sessionId = sessions.get(`${scenario.session} ${scenario.state}`)!;
      const url = `http://127.0.0.1:${apis.get(scenario.api)!.port}/api/projects/${project.id}/builds/${sessionId}`;
      const requests = scenario.requests ?? REQUESTS;
      let etag: string | null = null;
      let last: Answer | null = null;
      const received: number[] = [];
      const latencies: number[] = [];
      for (let i = 0; i < 10 + requests; i++) {
        if (scenario.changing) {
          await store.append(sessionId, [
            { type: 'message', data: { role: 'assistant', text: `step ${i}` } },
          ]);
        }
        const answer = await get(url, {
          ...BENCH_AUTHORIZATION,
          'accept-encoding': ENCODINGS[scenario.encoding],
          ...(scenario.revalidate && etag ? { 'if-none-match': etag } : {}),
        });
        etag = answer.etag;
        if (answer.status !== (scenario.revalidate && i > 0 ? 304 : 200)) {
          throw new Error(`${scenario.name}: status ${answer.status} ${answer.text}`);
        }
        if (i === 0) {
          const snapshot = JSON.parse(answer.text) as Snapshot;
          if (snapshot.toolCalls.length !== TOOL_CALLS || snapshot.todos.length !== TODOS)
            throw new Error('bad snapshot');
          if (scenario.state === 'finished' && scenario.session === 'small' && scenario.api === 'after') {
            finishedBody ??= Buffer.from(answer.text);
          }
        }
        if (i < 10) continue;
        received.push(answer.received);
        latencies.push(answer.decoded);
        last = answer;
      }
      latencies.sort((a, b) => a - b);
      received.sort((a, b) => a - b);
      const ms = (values: number[], p: number) => percentile(values, p).toFixed(1);
      console.log(
        `| ${scenario.name} | ${scenario.api} | ${ENCODINGS[scenario.encoding]} | ${requests} | ${last!.status} | ` +
          `${(Buffer.byteLength(last!.text) / 1024).toFixed(0)} | ${(last!.wire / 1024).toFixed(0)} | ` +
          `${ms(received, 50)} | ${ms(received, 99)} | ${ms(latencies, 50)} | ${ms(latencies, 90)} | ${ms(latencies, 99)} | ` +
          `${latencies.at(-1)!.toFixed(1)} |`,
      );
    }
    if (finishedBody) compressionTable('small finished', finishedBody);
  } finally {
    keepAlive.destroy();
    for (const { app } of apis.values()) await app.close();
    await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
