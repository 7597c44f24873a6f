import { WebSocket } from 'ws';
import {
  watchBuild,
  watchProject,
  type BuildWatch,
  type ClientOptions,
  type ConnectionStatus,
} from '#client';
import type { Snapshot } from '#contracts';
import { startDemoBuild } from '../support/builds.js';
import { freePort, startGateway, type TestGateway } from '../support/gateway.js';
import { request, startStack, type TestStack } from '../support/stack.js';
import { mintTokens } from '../support/tokens.js';

/** The SDK in Node against the real API, gateway, worker, Postgres and Redis. */
describe('libs/client against the real stack', () => {
  let stack: TestStack;
  let gateway: TestGateway | undefined;
  let gatewayPort: number;
  let options: ClientOptions;

  beforeAll(async () => {
    gatewayPort = await freePort();
    // The API forwards /ws to this gateway: the client only knows the app's one URL.
    stack = await startStack({ workers: 1, env: { GATEWAY_URL: `http://127.0.0.1:${gatewayPort}` } });
    gateway = await startGateway(stack.config, gatewayPort);
    options = {
      baseUrl: stack.apiUrl.replace(/\/api$/, ''),
      WebSocket: WebSocket as unknown as ClientOptions['WebSocket'],
      minBackoffMs: 50,
      maxBackoffMs: 300,
      failuresBeforePolling: 3,
      pollWaitMs: 2_000,
      getToken: mintTokens(stack.apiUrl),
    };
  });
  afterAll(async () => {
    await gateway?.close();
    await stack?.close();
  });

  const startDemo = (name: string, eventIntervalMs: number) =>
    startDemoBuild(stack.apiUrl, name, eventIntervalMs);
  const until = async (
    watch: { subscribe(l: () => void): () => void },
    condition: () => boolean,
    timeoutMs = 30_000,
  ) => {
    if (condition()) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('timed out')), timeoutMs);
      const stop = watch.subscribe(() => {
        if (!condition()) return;
        clearTimeout(timer);
        stop();
        resolve();
      });
    });
  };
  const expectEqualToSnapshot = async (watch: BuildWatch, projectId: string, sessionId: string) => {
    const { body } = await request<Snapshot>(`${stack.apiUrl}/projects/${projectId}/builds/${sessionId}`);
    expect(watch.state?.seq).toBe(body.seq);
    expect(watch.state?.session.status).toBe(body.session.status);
    expect(watch.state?.session.progress).toEqual(body.session.progress);
    expect(watch.state?.todos).toEqual(body.todos);
    // Back to the wire shape: Dates to ISO strings, and no derived duration.
    const wire = watch.state?.toolCalls.map(({ durationMs: _duration, ...call }) => ({
      ...call,
      startedAt: call.startedAt.toISOString(),
      endedAt: call.endedAt?.toISOString() ?? null,
    }));
    expect(wire).toEqual(body.toolCalls);
  };

  it('watches a demo build live to 100 %, and the project list sees it finish', async () => {
    const { projectId, sessionId } = await startDemo('sdk live', 15);
    const project = watchProject(projectId, options);
    const watch = watchBuild(projectId, sessionId, options);
    const statuses = new Set<ConnectionStatus>();
    watch.subscribe(() => statuses.add(watch.status));
    try {
      await until(watch, () => watch.state?.session.status === 'completed');
      expect(statuses.has('live')).toBe(true);
      expect(watch.state?.session.progress.percent).toBe(100);
      expect(watch.state?.session.startedAt).toBeInstanceOf(Date);
      await expectEqualToSnapshot(watch, projectId, sessionId);
      await until(project, () => project.sessions?.[0]?.status === 'completed');
      expect(project.status).toBe('live');
    } finally {
      watch.close();
      project.close();
    }
  });

  it('keeps updating over REST while the gateway is down, and goes live again when it is back', async () => {
    const { projectId, sessionId } = await startDemo('sdk fallback', 60);
    const watch = watchBuild(projectId, sessionId, options);
    try {
      await until(watch, () => watch.status === 'live' && (watch.state?.seq ?? 0) >= 5);
      await gateway!.close();
      gateway = undefined;
      await until(watch, () => watch.status === 'polling');
      const seqWhenPolling = watch.state!.seq;
      await until(watch, () => watch.state!.seq > seqWhenPolling + 3);
      gateway = await startGateway(stack.config, gatewayPort);
      await until(watch, () => watch.status === 'live');
      await until(watch, () => watch.state?.session.status === 'completed', 60_000);
      await expectEqualToSnapshot(watch, projectId, sessionId);
    } finally {
      watch.close();
    }
  });
});
