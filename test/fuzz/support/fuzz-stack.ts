import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import { freePort, spawnGateway, type GatewayProcess } from '../../support/gateway.js';
import { SessionWriter } from '../../support/session-writer.js';
import { request, startStack, TEST_ADMIN_KEY, type TestStack } from '../../support/stack.js';

/** The fuzz stack's body limit: small, so a 413 costs 64 KiB, not 10 MiB. */
export const FUZZ_MAX_BODY_BYTES = 64 * 1024;

export interface FuzzStack {
  stack: TestStack;
  /** A child process, so a crash shows as its exit. */
  gateway: GatewayProcess;
  /** Fills the `{{name}}` placeholders of REF with this stack's ids. */
  ids: Record<string, string>;
  /** Lines of the test fixtures' transcripts, for generated replays. */
  transcriptLines: string[];
  /** The builds of the run by status, and those the runner ended with `Runner error: …` (a bug). */
  builds(): Promise<{ byStatus: Record<string, number>; runnerErrors: string[] }>;
  close(): Promise<void>;
}

/**
 * The real API and one runner-worker in this process (so generated replays run through the
 * real parsers), the built gateway as a child process (the API forwards its `/ws` there), and
 * two projects to aim at: one with a session of 30 events (tool call `call-0`), one with a
 * finished session; and credentials short of admin, so 403s and out-of-reach 404s come too.
 */
export async function startFuzzStack(): Promise<FuzzStack> {
  const gatewayPort = await freePort();
  const stack = await startStack({
    workers: 1,
    env: {
      MAX_BODY_BYTES: String(FUZZ_MAX_BODY_BYTES),
      // Builds paced over 3 s are refused (400): the ones started run quickly, many in turn.
      REPLAY_MAX_MS: '3000',
      WORKER_CONCURRENCY: '8',
      GATEWAY_URL: `http://127.0.0.1:${gatewayPort}`,
      // Inputs should reach the routes, not stop at the rate limits (test/e2e/abuse-limits has those).
      RATE_LIMIT_PER_MINUTE: '1000000',
      RATE_LIMIT_IP_PER_MINUTE: '1000000',
      BUILD_STARTS_PER_MINUTE: '1000000',
      LONG_POLLS_PER_KEY: '1000',
    },
  });
  let gateway: GatewayProcess | undefined;
  try {
    gateway = await spawnGateway(stack.childEnv(), gatewayPort);
    const live = await SessionWriter.create(stack.api, 'fuzz');
    await live.append(SessionWriter.events(30, { start: true, prefix: 'call' }));
    const finished = await SessionWriter.create(stack.api, 'fuzz finished');
    await finished.append([...SessionWriter.events(5, { start: true }), SessionWriter.finished]);
    const limited = await limitedCredentials(stack.apiUrl, live.projectId, live.sessionId);
    const running = gateway;
    return {
      stack,
      gateway: running,
      ids: {
        project: live.projectId,
        session: live.sessionId,
        finishedProject: finished.projectId,
        finished: finished.sessionId,
        toolCall: 'call-0',
        adminKey: TEST_ADMIN_KEY,
        ...limited,
      },
      transcriptLines: fixtureLines(),
      builds: () => buildOutcomes(stack.database.url),
      async close() {
        if (running.child.exitCode === null && running.child.signalCode === null)
          running.child.kill('SIGTERM');
        await running.exited;
        await stack.close();
      },
    };
  } catch (error) {
    gateway?.child.kill('SIGKILL');
    await stack.close();
    throw error;
  }
}

function fixtureLines(): string[] {
  const folder = path.resolve('test/fixtures/transcripts');
  const files = readdirSync(folder).filter((name) => name.endsWith('.jsonl'));
  const lines = files.flatMap((name) => readFileSync(path.join(folder, name), 'utf8').split('\n'));
  return [
    ...lines,
    ...readFileSync(path.resolve('test/fixtures/buildcast-ndjson_small.jsonl'), 'utf8').split('\n'),
  ].filter((line) => line.trim() !== '' && line.length < 4_000);
}

async function buildOutcomes(
  databaseUrl: string,
): Promise<{ byStatus: Record<string, number>; runnerErrors: string[] }> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const statuses = await client.query<{ status: string; n: number }>(
      'SELECT status, count(*)::int AS n FROM build_sessions GROUP BY status ORDER BY status',
    );
    const failed = await client.query<{ id: string; error: string }>(
      `SELECT id, error FROM build_sessions WHERE error LIKE 'Runner error:%' LIMIT 20`,
    );
    return {
      byStatus: Object.fromEntries(statuses.rows.map((row) => [row.status, row.n])),
      runnerErrors: failed.rows.map((row) => `build ${row.id}: ${row.error}`),
    };
  } finally {
    await client.end();
  }
}

/** A `builds:read` key limited to the live project, and a subscription token for its session. */
async function limitedCredentials(apiUrl: string, projectId: string, sessionId: string) {
  const key = await request<{ key: string }>(`${apiUrl}/keys`, {
    body: { name: 'fuzz reader', scopes: ['builds:read'], projectId },
  });
  const token = await request<{ token: string }>(`${apiUrl}/projects/${projectId}/tokens`, {
    body: { sessionId },
  });
  if (key.status !== 201 || token.status !== 201) {
    throw new Error(`could not create the fuzz credentials: ${JSON.stringify([key, token])}`);
  }
  return { readKey: key.body.key, token: token.body.token };
}
