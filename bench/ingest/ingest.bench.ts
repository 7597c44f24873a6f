// Ingest: 50 concurrent sessions appending through EventStore + publish (commit, then
// PUBLISH), at batch sizes 1, 10 and 100. Run: npm run bench:ingest
import 'reflect-metadata';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '#config';
import { EventPublisher, RedisService } from '#bus';
import { BuildReadModel, EventStore, prepareDatabase } from '#persistence';
import { createBenchDatabase, percentile, realisticEvents, take } from '../support/bench-utils.js';

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 50);
const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 8000);
const BATCH_SIZES = (process.env.BENCH_BATCH_SIZES ?? '1,10,100').split(',').map(Number);
const POOL_SIZE = Number(process.env.BENCH_POOL_SIZE ?? 20);

async function main(): Promise<void> {
  const database = await createBenchDatabase();
  const config = loadConfig({ DATABASE_URL: database.url, DATABASE_POOL_SIZE: String(POOL_SIZE) });
  const dataSource = await prepareDatabase(config.databaseUrl, { poolSize: POOL_SIZE });
  const redis = new RedisService(config);
  const store = new EventStore(dataSource);
  const readModel = new BuildReadModel(dataSource);
  const publisher = new EventPublisher(redis);
  const project = await readModel.createProject('ingest bench');
  const rows: string[] = [];
  try {
    for (const batchSize of BATCH_SIZES) {
      const sessions = await Promise.all(
        Array.from({ length: SESSIONS }, () =>
          readModel.createQueuedSession({
            projectId: project.id,
            agent: 'demo',
            agentId: 'bench',
            model: null,
            prompt: null,
          }),
        ),
      );
      const latencies: number[] = [];
      let events = 0;
      const started = performance.now();
      const deadline = started + DURATION_MS;
      await Promise.all(
        sessions.map(async (session, index) => {
          const source = realisticEvents(`s${index}`);
          while (performance.now() < deadline) {
            const batch = take(source, batchSize);
            const t0 = performance.now();
            const appended = await store.append(session!.id, batch);
            await publisher.publishCommitted(appended);
            latencies.push(performance.now() - t0);
            events += appended.events.length;
          }
        }),
      );
      const seconds = (performance.now() - started) / 1000;
      latencies.sort((a, b) => a - b);
      const row = `| ${batchSize} | ${SESSIONS} | ${Math.round(events / seconds).toLocaleString('en')} | ${latencies.length.toLocaleString('en')} | ${percentile(latencies, 50).toFixed(2)} | ${percentile(latencies, 99).toFixed(2)} | ${(percentile(latencies, 99) / batchSize).toFixed(3)} |`;
      rows.push(row);
      console.error(`batch ${batchSize}: done`);
    }
  } finally {
    await redis.onApplicationShutdown();
    await dataSource.destroy();
    await database.drop();
  }
  console.log(
    `Ingest, ${SESSIONS} concurrent sessions, ${DURATION_MS / 1000} s per batch size, pool ${POOL_SIZE}\n`,
  );
  console.log(
    '| batch size | sessions | events/s | appends | append p50 ms | append p99 ms | p99 ms per event |',
  );
  console.log('|---:|---:|---:|---:|---:|---:|---:|');
  for (const row of rows) console.log(row);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
