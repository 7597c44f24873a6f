import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { DataSource } from 'typeorm';
import { WebSocket, WebSocketServer } from 'ws';
import { BUILDCAST_DATA_SOURCE } from '#persistence';
import { BuildcastGatewayModule } from '../../apps/realtime-gateway/src/index.js';
import { TEST_ADMIN_KEY } from '../support/credentials.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { SessionWriter, unapplied } from '../support/session-writer.js';
import { request, startStack, type TestStack } from '../support/stack.js';
import { TRANSPORTS } from '../support/transports.js';
import { TestClient, upgradeStatus } from '../support/ws-client.js';
import { databaseOf, hostDataSource, NotesController } from './host-notes.js';

const HOST_ORIGIN = 'https://host.example';

/**
 * docs/embedding.md, run: a Nest app of its own (a controller, its default TypeORM DataSource
 * on another database, its own WebSocket path) mounts BuildcastGatewayModule next to them, on
 * a stack's database and transport. The stack's API writes sessions; the host serves them live.
 */
describe.each(TRANSPORTS)('BuildcastGatewayModule mounted in a host Nest app, over %s', (transport) => {
  let stack: TestStack;
  let hostDatabase: TestDatabase;
  let host: INestApplication;
  let origin: string;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    stack = await startStack({ transport });
    hostDatabase = await createTestDatabase('embedding_host');

    @Module({
      imports: [
        ...hostDataSource(hostDatabase.url),
        BuildcastGatewayModule.forRoot({
          databaseUrl: stack.config.databaseUrl,
          transport,
          redisUrl: stack.config.redisUrl,
          queuePrefix: stack.config.queuePrefix,
          identity: { adminKey: TEST_ADMIN_KEY },
          path: '/buildcast/ws',
          healthPath: 'buildcast/health',
          allowedOrigins: [HOST_ORIGIN],
        }),
      ],
      controllers: [NotesController],
    })
    class HostModule {}

    host = await NestFactory.create(HostModule, { logger: ['error', 'warn'] });
    // The host's own sockets on the same HTTP server: the gateway leaves other paths alone.
    const echo = new WebSocketServer({ noServer: true });
    echo.on('connection', (socket) =>
      socket.on('message', (data: Buffer) => socket.send(`echo ${data.toString()}`)),
    );
    host.getHttpServer().on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
      if (req.url === '/echo')
        echo.handleUpgrade(req, socket, head, (ws) => echo.emit('connection', ws, req));
    });
    await host.listen(0, '127.0.0.1');
    origin = `127.0.0.1:${(host.getHttpServer().address() as { port: number }).port}`;
  });

  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });

  afterAll(async () => {
    await host?.close();
    await hostDatabase?.drop();
    await stack?.close();
  });

  const connect = async (query: string, options: Parameters<typeof TestClient.connect>[1] = {}) => {
    const client = await TestClient.connect(`ws://${origin}/buildcast/ws?${query}`, options);
    clients.push(client);
    return client;
  };

  it("serves a session's events live at its path, while the host's own route answers from its own database", async () => {
    const writer = await SessionWriter.create(stack.api, 'embedded');
    const base = unapplied((await writer.snapshot())!);
    const watcher = await connect(`projectId=${writer.projectId}&sessionId=${writer.sessionId}&since=0`, {
      state: base,
      auth: { origin: HOST_ORIGIN },
    });
    await watcher.next('subscribed');

    await writer.append(SessionWriter.events(12, { start: true }));
    await writer.append([SessionWriter.finished]);
    await watcher.until(() => watcher.state?.session.status === 'completed', 30_000, 'the session to finish');
    expect(watcher.violations).toEqual([]);
    expect(watcher.state).toEqual(await writer.snapshot());

    expect((await request(`http://${origin}/notes`, { body: { text: 'mine' }, key: null })).status).toBe(201);
    expect((await request(`http://${origin}/notes`, { key: null })).body).toEqual([{ id: 1, text: 'mine' }]);
    // Two DataSources side by side: the host's default one on its database, Buildcast's named one on the stack's.
    expect(await databaseOf(host.get(DataSource))).toBe(hostDatabase.name);
    expect(await databaseOf(host.get<DataSource>(BUILDCAST_DATA_SOURCE))).toBe(stack.database.name);
  });

  it('checks credentials and Origin as the standalone gateway does', async () => {
    const refused = await connect('', { auth: { key: 'bc_not_a_key' } });
    expect((await refused.waitForClose()).code).toBe(4401);

    const foreign = await upgradeStatus(`ws://${origin}/buildcast/ws`, { origin: 'https://evil.example' });
    expect(foreign).toBe(403);
  });

  it('answers its health route where it was put, announces its presence, and leaves the host its own sockets', async () => {
    const health = await request(`http://${origin}/buildcast/health`, { key: null });
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', transport, checks: { database: { status: 'up' } } });

    // The stack runs no gateway of its own: the one counted is the mounted module.
    const gateways = await request(`${stack.apiUrl}/health/gateway`);
    expect(gateways.body).toMatchObject({ status: 'ok', checks: { gateway: { instances: 1 } } });

    const socket = new WebSocket(`ws://${origin}/echo`);
    const reply = new Promise<string>((resolve) =>
      socket.once('message', (data: Buffer) => resolve(data.toString())),
    );
    socket.once('open', () => socket.send('hi'));
    expect(await reply).toBe('echo hi');
    socket.close();
  });
});
