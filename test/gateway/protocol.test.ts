import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AppConfig } from '#config';
import { CloseCode } from '#contracts';
import { Connections } from '../../apps/realtime-gateway/src/connections/connections.service.js';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { SessionWriter } from '../support/session-writer.js';
import { startStack, type TestStack } from '../support/stack.js';
import { TRANSPORTS } from '../support/transports.js';
import { TestClient, upgradeStatus } from '../support/ws-client.js';

/** The same stack config with other gateway settings. */
const tuned = (config: AppConfig, gateway: Partial<AppConfig['gateway']>): AppConfig => ({
  ...config,
  gateway: { ...config.gateway, ...gateway },
});

describe.each(TRANSPORTS)('gateway protocol over %s: subscriptions, refusals, close codes', (transport) => {
  let stack: TestStack;
  let gateway: TestGateway;
  let writer: SessionWriter;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    stack = await startStack({ transport });
    gateway = await startGateway(tuned(stack.config, { rateLimitPer10s: 20, maxLagEvents: 50 }));
    writer = await SessionWriter.create(stack.api);
    await writer.append(SessionWriter.events(30, { start: true }));
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });
  afterAll(async () => {
    await gateway?.close();
    await stack?.close();
  });

  const connect = async (query = '', target = gateway) => {
    const client = await TestClient.connect(`${target.wsUrl}${query ? `?${query}` : ''}`);
    clients.push(client);
    return client;
  };
  /** A healthy watcher, to show the gateway keeps serving others after each refusal. */
  const stillServes = async () => {
    const client = await connect();
    client.send({ type: 'subscribe', projectId: writer.projectId, sessionId: writer.sessionId, since: 25 });
    const batch = await client.next('events');
    expect(batch.fromSeq).toBe(26);
    expect(batch.toSeq).toBeGreaterThanOrEqual(30);
  };

  it('keeps its idle HTTP sockets (health checks) open 65 s, as the API does', async () => {
    const server = gateway.app.getHttpServer() as Server;
    expect(server.keepAliveTimeout).toBe(65_000);
    expect(server.headersTimeout).toBeGreaterThan(server.keepAliveTimeout);
    const response = await fetch(`${gateway.httpUrl}/health`);
    expect(response.status).toBe(200);
    expect(response.headers.get('keep-alive')).toBe('timeout=65');
  });

  it('answers ping with pong', async () => {
    const client = await connect();
    client.send({ type: 'ping' });
    await client.next('pong');
  });

  it('subscribes by message with since: subscribed (latest seq), then exactly the missing events', async () => {
    const client = await connect();
    client.cursor = 10;
    client.send({ type: 'subscribe', projectId: writer.projectId, sessionId: writer.sessionId, since: 10 });
    expect(await client.next('subscribed')).toEqual({
      type: 'subscribed',
      projectId: writer.projectId,
      sessionId: writer.sessionId,
      seq: 30,
      heartbeatMs: stack.config.gateway.heartbeatMs,
    });
    await client.until(() => client.cursor === 30);
    expect(client.violations).toEqual([]);
    client.send({ type: 'unsubscribe', projectId: writer.projectId, sessionId: writer.sessionId });
    await client.next('unsubscribed');
    await writer.append(SessionWriter.events(2, { prefix: 'after-unsubscribe' }));
    client.send({ type: 'ping' });
    await client.next('pong');
    expect(client.cursor).toBe(30);
  });

  it('closes with 4400 on malformed JSON, a non-object, and an unknown type', async () => {
    for (const frame of ['{"type":"subscribe"', '[1,2]', '{"type":"dance"}', '{"no":"type"}']) {
      const client = await connect();
      client.send(frame);
      expect(await client.waitForClose()).toMatchObject({ code: CloseCode.badRequest });
    }
    await stillServes();
  });

  it('closes with 4413 on a frame over 64 KiB', async () => {
    const client = await connect();
    client.send({ type: 'ping', padding: 'x'.repeat(70 * 1024) });
    expect(await client.waitForClose()).toMatchObject({ code: CloseCode.messageTooLarge });
    await stillServes();
  });

  it('answers an upgrade on another path than /ws with HTTP 404', async () => {
    expect(await upgradeStatus(gateway.wsUrl.replace(/\/ws$/, '/elsewhere'), {})).toBe(404);
  });

  it('closes with 4400 when the connect URL has a bad id', async () => {
    const client = await connect('projectId=not-a-uuid');
    expect(await client.waitForClose()).toEqual({
      code: CloseCode.badRequest,
      reason: 'projectId must be a UUID',
    });
  });

  it('answers a bad field with error bad_request naming it, and keeps the socket', async () => {
    const client = await connect();
    client.send({ type: 'subscribe', projectId: writer.projectId, sessionId: writer.sessionId, since: -1 });
    const error = await client.next('error');
    expect(error).toMatchObject({ code: 'bad_request', projectId: writer.projectId });
    expect(error.message).toMatch(/since/);
    client.send({ type: 'ping' });
    await client.next('pong');
  });

  it('answers unknown (or someone else’s) ids with error not_found and no room', async () => {
    const client = await connect();
    const otherProject = randomUUID();
    client.send({ type: 'subscribe', projectId: otherProject, sessionId: writer.sessionId });
    expect(await client.next('error')).toMatchObject({ code: 'not_found', projectId: otherProject });
    client.send({ type: 'subscribe', projectId: randomUUID() });
    await client.until(() => client.messages.filter((m) => m.type === 'error').length === 2);
    expect(client.messages.some((m) => m.type === 'subscribed')).toBe(false);
    await stillServes();
  });

  it('closes with 4429 when a socket sends more than the configured rate', async () => {
    const client = await connect();
    for (let i = 0; i < 25; i++) client.send({ type: 'ping' });
    expect(await client.waitForClose()).toMatchObject({ code: CloseCode.rateLimited });
    await stillServes();
  });

  it('sends resync when since is ahead of the server or too far behind', async () => {
    const ahead = await connect(`projectId=${writer.projectId}&sessionId=${writer.sessionId}&since=999`);
    expect(await ahead.next('resync')).toMatchObject({
      sessionId: writer.sessionId,
      reason: expect.stringMatching(/ahead/),
    });
    // maxLagEvents is 50 here.
    await writer.append(SessionWriter.events(60, { prefix: 'lag' }));
    const behind = await connect(`projectId=${writer.projectId}&sessionId=${writer.sessionId}&since=1`);
    expect(await behind.next('resync')).toMatchObject({ reason: expect.stringMatching(/behind/) });
  });

  it('project rooms: current summaries on join, then live ones', async () => {
    const client = await connect(`projectId=${writer.projectId}`);
    await client.next('subscribed', (m) => m.sessionId === undefined);
    await client.next('session', (m) => m.sessionId === writer.sessionId);
    const other = await SessionWriter.create(stack.api, 'another');
    const sameProject = await connect(`projectId=${other.projectId}`);
    await sameProject.next('subscribed');
    await other.append([
      ...SessionWriter.events(3, { start: true, prefix: 'x' }),
      { type: 'session.finished', data: { status: 'failed', error: 'boom' } },
    ]);
    const summary = await sameProject.next('session', (m) => m.status === 'failed');
    expect(summary).toMatchObject({
      sessionId: other.sessionId,
      agentId: 'demo',
      progress: expect.any(Object),
    });
    expect(client.messages.some((m) => m.type === 'session' && m.sessionId === other.sessionId)).toBe(false);
  });

  it('heartbeats every interval, and closes a socket that stops answering pings with 4408', async () => {
    const fast = await startGateway(tuned(stack.config, { heartbeatMs: 200 }));
    try {
      const alive = await connect('', fast);
      await alive.until(
        () => alive.messages.filter((m) => m.type === 'heartbeat').length >= 3,
        5_000,
        'heartbeats',
      );
      expect(alive.messages.find((m) => m.type === 'heartbeat')).toMatchObject({ intervalMs: 200 });
      const silent = await connect('', fast);
      // Stop reading: no pong goes back, as with a peer that vanished.
      const transport = (silent.socket as unknown as { _socket: { pause(): void; resume(): void } })._socket;
      transport.pause();
      const sockets = () => fast.app.get(Connections).size;
      await alive.until(() => sockets() === 1, 5_000, 'the silent socket to be dropped');
      expect(alive.closed).toBeUndefined();
      // What the server wrote before it dropped the socket is still readable: a 4408 close.
      transport.resume();
      expect(await silent.waitForClose()).toMatchObject({ code: CloseCode.heartbeatTimeout });
    } finally {
      await fast.close();
    }
  });
});
