// Hydration: the snapshot of a session with 5,000 tool calls and 50 todos, fetched through
// the REST endpoint. Run: npm run bench:hydration
import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
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
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 300);

function seedEvents(): NewBuildEvent[][] {
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
        data: { toolCallId: id, output: `export const part${n} = ${n};\n`.repeat(4), isError: n % 97 === 0 },
      });
    }
    batches.push(batch);
  }
  return batches;
}

async function main(): Promise<void> {
  const database = await createBenchDatabase();
  // Every REST route needs a credential: the bench reads as the admin key.
  const config = loadConfig({ DATABASE_URL: database.url, BUILDCAST_ADMIN_KEY: BENCH_ADMIN_KEY });
  const headers = BENCH_AUTHORIZATION;
  const api = await createApi(config, ['error', 'warn']);
  await api.listen(0, '127.0.0.1');
  const { port } = api.getHttpServer().address() as { port: number };
  try {
    const readModel = api.get(BuildReadModel);
    const store = api.get(EventStore);
    const project = await readModel.createProject('hydration bench');
    const session = await readModel.createQueuedSession({
      projectId: project.id,
      agent: 'demo',
      agentId: 'bench',
      model: null,
      prompt: null,
      startedBy: { keyId: null, keyName: 'BUILDCAST_ADMIN_KEY', keyPrefix: null },
    });
    for (const batch of seedEvents()) await store.append(session!.id, batch);

    const url = `http://127.0.0.1:${port}/api/projects/${project.id}/builds/${session!.id}`;
    let bytes = 0;
    for (let i = 0; i < 20; i++) await (await fetch(url, { headers })).arrayBuffer(); // warm-up
    const latencies: number[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const t0 = performance.now();
      const response = await fetch(url, { headers });
      const body = await response.text();
      latencies.push(performance.now() - t0);
      bytes = body.length;
      if (i === 0) {
        const snapshot = JSON.parse(body) as Snapshot;
        if (snapshot.toolCalls.length !== TOOL_CALLS || snapshot.todos.length !== TODOS)
          throw new Error('bad snapshot');
      }
    }
    latencies.sort((a, b) => a - b);
    console.log(
      `Hydration: GET snapshot with ${TOOL_CALLS} tool calls and ${TODOS} todos, ${REQUESTS} sequential requests, ${(bytes / 1024).toFixed(0)} KiB each\n`,
    );
    console.log('| p50 ms | p90 ms | p99 ms | max ms |');
    console.log('|---:|---:|---:|---:|');
    console.log(
      `| ${percentile(latencies, 50).toFixed(1)} | ${percentile(latencies, 90).toFixed(1)} | ${percentile(latencies, 99).toFixed(1)} | ${latencies.at(-1)!.toFixed(1)} |`,
    );
  } finally {
    await api.close();
    await database.drop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
