import { WebSocket } from 'ws';
import {
  watchBuild,
  watchProject,
  type BuildWatch,
  type ClientOptions,
  type ConnectionStatus,
} from '#client';
import type { Snapshot } from '#contracts';
import { startDemoBuild, withBuildsHeld } from '../support/builds.js';
import { freePort, startGateway, type TestGateway } from '../support/gateway.js';
import { SessionWriter } from '../support/session-writer.js';
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
      WebSocket,
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
    const statuses = new Set<ConnectionStatus>();
    const watches: { close(): void }[] = [];
    try {
      // The build waits in the queue until the watch is live: the watch follows all of it live.
      const { projectId, sessionId, watch, project } = await withBuildsHeld(stack.workers, async () => {
        const ids = await startDemo('sdk live', 15);
        const project = watchProject(ids.projectId, options);
        const watch = watchBuild(ids.projectId, ids.sessionId, options);
        watches.push(project, watch);
        watch.subscribe(() => statuses.add(watch.status));
        await until(watch, () => watch.status === 'live');
        return { ...ids, watch, project };
      });
      await until(watch, () => watch.state?.session.status === 'completed');
      expect(statuses.has('live')).toBe(true);
      expect(watch.state?.session.progress.percent).toBe(100);
      expect(watch.state?.session.startedAt).toBeInstanceOf(Date);
      await expectEqualToSnapshot(watch, projectId, sessionId);
      await until(project, () => project.sessions?.[0]?.status === 'completed');
      expect(project.status).toBe('live');
    } finally {
      for (const watch of watches) watch.close();
    }
  });

  it('keeps updating over REST while the gateway is down, and goes live again when it is back', async () => {
    // The test writes the build's events itself: some of them while the gateway is down.
    const writer = await SessionWriter.create(stack.api, 'sdk fallback');
    await writer.append(SessionWriter.events(5, { start: true, prefix: 'a' }));
    const watch = watchBuild(writer.projectId, writer.sessionId, options);
    try {
      await until(watch, () => watch.status === 'live' && watch.state?.seq === 5);
      await gateway!.close();
      gateway = undefined;
      await until(watch, () => watch.status === 'polling');
      const whileDown = await writer.append(SessionWriter.events(5, { prefix: 'b' }));
      await until(watch, () => watch.state?.seq === whileDown.toSeq);
      gateway = await startGateway(stack.config, gatewayPort);
      await until(watch, () => watch.status === 'live');
      const last = await writer.append([...SessionWriter.events(5, { prefix: 'c' }), SessionWriter.finished]);
      await until(watch, () => watch.state?.seq === last.toSeq);
      expect(watch.state?.session.status).toBe('completed');
      await expectEqualToSnapshot(watch, writer.projectId, writer.sessionId);
    } finally {
      watch.close();
    }
  });
});
