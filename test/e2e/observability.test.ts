import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import type { EventsPage } from '#contracts';
import { ApiMetrics } from '../../apps/api/src/observability/api-metrics.js';
import { createWorker } from '../../apps/runner-worker/src/create-worker.js';
import { eventually, pollUntilFinished, startDemoBuild } from '../support/builds.js';
import { scrapeMetric } from '../support/metrics.js';
import { freePort } from '../support/ports.js';
import { request, startStack, type TestStack } from '../support/stack.js';
import { spawnNode, type NodeProcess } from '../support/start-script.js';
import { TRANSPORTS } from '../support/transports.js';

const urlOf = (app: INestApplication) =>
  `http://127.0.0.1:${((app.getHttpServer() as Server).address() as AddressInfo).port}`;

/** Gives `true` or nothing, for `eventually`. */
const when = async (condition: Promise<boolean>) => ((await condition) ? true : undefined);

describe.each(TRANSPORTS)('metrics over %s: the API and the runner-worker', (transport) => {
  let stack: TestStack;
  let apiMetrics: string;

  beforeAll(async () => {
    stack = await startStack({ transport }); // no runner yet: a build waits in the queue
    const endpoint = stack.api.get(ApiMetrics).endpoint;
    await endpoint.listen(0, '127.0.0.1', 'API_METRICS_PORT');
    apiMetrics = `http://127.0.0.1:${endpoint.port}/metrics`;
  });
  afterAll(() => stack?.close());

  it("a build moves the API's request and long-poll figures and the runner's build, append and queue figures", async () => {
    const api = (name: string, labels?: Record<string, string>) => scrapeMetric(apiMetrics, name, labels);
    const { projectId, sessionId } = await startDemoBuild(stack.apiUrl, `metrics-${transport}`, 1);
    expect(
      await api('buildcast_api_request_duration_seconds_count', {
        method: 'POST',
        route: '/api/projects/:projectId/builds',
        status: '202',
      }),
    ).toBe(1);
    expect(await api('buildcast_api_long_polls_in_flight')).toBe(0);

    // A long-poll waits while the build is queued…
    const eventsUrl = `${stack.apiUrl}/projects/${projectId}/builds/${sessionId}/events`;
    const waiting = request<EventsPage>(`${eventsUrl}?after=0&waitMs=25000`);
    await eventually(
      () => when(api('buildcast_api_long_polls_in_flight').then((n) => n === 1)),
      'a long-poll',
    );

    // …until a runner takes the build.
    const worker = await createWorker(stack.config, ['error', 'warn']);
    stack.workers.push(worker);
    await worker.listen(0, '127.0.0.1');
    const runnerMetrics = `${urlOf(worker)}/metrics`;
    const runner = (name: string, labels?: Record<string, string>) =>
      scrapeMetric(runnerMetrics, name, labels);
    const answered = await waiting;
    expect(answered.status).toBe(200);
    expect(answered.body.events.length).toBeGreaterThan(0);
    expect(await api('buildcast_api_long_polls_in_flight')).toBe(0);
    const eventsRoute = '/api/projects/:projectId/builds/:sessionId/events';
    expect(
      await api('buildcast_api_request_duration_seconds_count', { route: eventsRoute, status: '200' }),
    ).toBe(1);

    const events = await pollUntilFinished(stack.apiUrl, projectId, sessionId);
    await eventually(
      () =>
        when(
          runner('buildcast_runner_builds_total', { agent: 'demo', outcome: 'completed' }).then(
            (n) => n === 1,
          ),
        ),
      'the build counted as completed',
    );
    expect(await runner('buildcast_runner_builds_total')).toBe(1);
    expect(await runner('buildcast_runner_builds_running')).toBe(0);
    // Every event of the log was appended by this runner, in appends of one batch size each.
    expect(await runner('buildcast_runner_events_appended_total')).toBe(events.length);
    expect(await runner('buildcast_runner_append_batch_size_sum')).toBe(events.length);
    const appends = await runner('buildcast_runner_append_seconds_count');
    expect(appends).toBeGreaterThan(0);
    expect(await runner('buildcast_runner_append_batch_size_count')).toBe(appends);
    expect(await runner('buildcast_runner_append_seconds_sum')).toBeGreaterThan(0);
    // It waited in the queue from its request until this runner started.
    expect(await runner('buildcast_runner_queue_wait_seconds_count')).toBe(1);
    expect(await runner('buildcast_runner_queue_wait_seconds_sum')).toBeGreaterThan(0);
    // Process figures under the app's prefix, as the gateway's.
    expect(await runner('buildcast_runner_process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(await api('buildcast_api_process_resident_memory_bytes')).toBeGreaterThan(0);
    // Only on its own port: the public API port has no metrics.
    const publicPort = await fetch(`${stack.apiUrl.slice(0, -'/api'.length)}/metrics`);
    expect(await publicPort.text()).not.toContain('buildcast_api_');
  });

  it("the runner's /health names its checks; its port serves nothing else", async () => {
    const worker = await createWorker(stack.config, ['error', 'warn']);
    try {
      await worker.listen(0, '127.0.0.1');
      const health = await request(`${urlOf(worker)}/health`, { key: null });
      expect(health.status).toBe(200);
      expect(health.body).toMatchObject({ status: 'ok', transport, checks: { database: { status: 'up' } } });
      expect(Object.keys(health.body.checks).sort()).toEqual(
        transport === 'redis' ? ['database', 'redis'] : ['database'],
      );
      expect((await request(`${urlOf(worker)}/api/projects`, { key: null })).status).toBe(404);
    } finally {
      await worker.close(); // the other test's build must go to its own runner
    }
  });
});

describe('logs: one JSON object a line from every app process', () => {
  let stack: TestStack;
  const children: NodeProcess[] = [];

  beforeAll(async () => {
    stack = await startStack();
  });
  afterAll(async () => {
    for (const child of children) if (child.child.exitCode === null) child.child.kill('SIGKILL');
    await stack?.close();
  });

  /** The lines a process wrote, parsed; any line that is not JSON fails the test. */
  const jsonLines = (child: NodeProcess) =>
    child
      .output()
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Record<string, unknown>);

  it(
    "the API's request lines carry the key id; the runner logs each build's start and end with project, session and seq",
    async () => {
      const key = await request<{ id: string; key: string }>(`${stack.apiUrl}/keys`, {
        body: { name: 'log reader', scopes: ['builds:read'] },
      });
      expect(key.status).toBe(201);
      const apiPort = await freePort();
      const api = spawnNode(
        ['dist/apps/api/src/main.js'],
        stack.childEnv({ API_PORT: String(apiPort), LOG_FORMAT: 'json' }),
      );
      const runner = spawnNode(
        ['dist/apps/runner-worker/src/main.js'],
        stack.childEnv({ LOG_FORMAT: 'json' }),
      );
      children.push(api, runner);
      const apiUrl = `http://127.0.0.1:${apiPort}/api`;
      await eventually(
        () =>
          when(
            request(`${apiUrl}/health`).then(
              (r) => r.status === 200,
              () => false,
            ),
          ),
        'the API process',
        60_000,
      );
      await eventually(
        () => when(Promise.resolve(runner.output().includes('Runner-worker consuming'))),
        'the runner process',
        60_000,
      );

      const { projectId, sessionId } = await startDemoBuild(stack.apiUrl, 'logs', 1);
      const events = await pollUntilFinished(stack.apiUrl, projectId, sessionId);
      const snapshot = await request(`${apiUrl}/projects/${projectId}/builds/${sessionId}`, {
        key: key.body.key,
      });
      expect(snapshot.status).toBe(200);

      const path = `/api/projects/${projectId}/builds/${sessionId}`;
      const requestLine = await eventually(
        () =>
          Promise.resolve(
            jsonLines(api).find((line) => (line.req as { path?: string } | undefined)?.path === path),
          ),
        'the request line',
      );
      expect(requestLine).toMatchObject({
        app: 'api',
        level: 'info',
        msg: expect.stringMatching(new RegExp(`^GET ${path} 200 \\d+ ms$`)),
        req: { method: 'GET', path },
        res: { statusCode: 200 },
        keyId: key.body.id,
        via: 'key',
      });
      expect(JSON.stringify(requestLine)).not.toContain(key.body.key); // no credential in logs
      expect(jsonLines(api).every((line) => line.app === 'api')).toBe(true);
      expect(jsonLines(api).some((line) => String(line.msg).startsWith('API on http://localhost:'))).toBe(
        true,
      );

      const build = { app: 'runner', context: 'BuildRunner', projectId, sessionId, agent: 'demo' };
      const ended = await eventually(
        () =>
          Promise.resolve(
            jsonLines(runner).find((line) => line.msg === `Build ${sessionId} ended: completed`),
          ),
        'the build end line',
      );
      expect(ended).toMatchObject({ ...build, level: 'info', outcome: 'completed', seq: events.at(-1)!.seq });
      expect(jsonLines(runner).find((line) => line.msg === `Build ${sessionId} started`)).toMatchObject({
        ...build,
        seq: 0,
      });
      expect(jsonLines(runner).every((line) => line.app === 'runner')).toBe(true);

      for (const child of [api, runner]) child.child.kill('SIGTERM');
      await Promise.all([api.exited, runner.exited]);
    },
    4 * 60_000,
  ); // two processes to start on a busy machine
});
