// The AsyncAPI document served at /api/docs/ws, checked against what a running gateway really
// sends and accepts: every frame a client receives here must match its message's payload
// schema (no field missing, none extra), and so must every frame this test sends.
import { randomUUID } from 'node:crypto';
import { Ajv, type ValidateFunction } from 'ajv';
import type { AppConfig } from '#config';
import { CloseCode, type ClientMessage, type ServerMessage, type ServerMessageMap } from '#contracts';
import { startGateway, type TestGateway } from '../support/gateway.js';
import { SessionWriter } from '../support/session-writer.js';
import { request, startStack, type TestStack } from '../support/stack.js';
import { TestClient } from '../support/ws-client.js';

interface AsyncApiMessage {
  name: string;
  payload: Record<string, unknown>;
}
interface AsyncApiDocument {
  asyncapi: string;
  servers: { gateway: { host: string; protocol: string; pathname: string } };
  channels: { ws: { messages: Record<string, AsyncApiMessage>; 'x-close-codes': Record<string, string> } };
  operations: Record<string, { action: string; messages: { $ref: string }[] }>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

describe('the AsyncAPI document of /ws', () => {
  let stack: TestStack;
  let gateway: TestGateway;
  let document: AsyncApiDocument;
  const validators = new Map<string, ValidateFunction>();

  beforeAll(async () => {
    stack = await startStack();
    // A short heartbeat so one arrives while the test runs (waited for, never timed).
    const config: AppConfig = { ...stack.config, gateway: { ...stack.config.gateway, heartbeatMs: 200 } };
    gateway = await startGateway(config);
    const served = await request<AsyncApiDocument>(`${stack.apiUrl}/docs/ws`);
    expect(served.status).toBe(200);
    document = served.body;
    const ajv = new Ajv({ strict: true, allowUnionTypes: true });
    ajv.addFormat('uuid', UUID);
    ajv.addFormat('date-time', (text: string) => !Number.isNaN(Date.parse(text)));
    for (const [type, message] of Object.entries(document.channels.ws.messages))
      validators.set(type, ajv.compile(message.payload));
  });
  afterAll(async () => {
    await gateway?.close();
    await stack?.close();
  });

  /** Fails with ajv's explanation when `frame` does not match its type's payload schema. */
  const expectDescribed = (frame: { type: string }) => {
    const validate = validators.get(frame.type);
    expect(validate).toBeDefined();
    const valid = validate!(frame);
    expect({ frame, errors: valid ? null : validate!.errors }).toEqual({ frame, errors: null });
  };

  it('is an AsyncAPI 3 document for the gateway, behind the same credential as /api/docs', async () => {
    expect(document.asyncapi).toBe('3.0.0');
    expect(document.servers.gateway).toEqual({
      host: new URL(stack.config.publicUrl).host,
      protocol: 'ws',
      pathname: '/ws',
    });
    const actions = Object.values(document.operations).map((operation) => operation.action);
    expect(actions.sort()).toEqual(['receive', 'send']);
    for (const operation of Object.values(document.operations))
      for (const { $ref } of operation.messages)
        expect(Object.keys(document.channels.ws.messages)).toContain($ref.split('/').at(-1));
    expect(Object.keys(document.channels.ws['x-close-codes']).map(Number).sort()).toEqual(
      Object.values(CloseCode).sort(),
    );
    expect((await request(`${stack.apiUrl}/docs/ws`, { key: null })).status).toBe(401);
  });

  it('describes every frame a real session produces, and every frame a client sends', async () => {
    const writer = await SessionWriter.create(stack.api, 'asyncapi');
    await writer.append(SessionWriter.events(12, { start: true }));
    await writer.append([{ type: 'message', data: { role: 'assistant', text: 'Done **here**.' } }]);

    const client = await TestClient.connect(gateway.wsUrl);
    const send = (frame: ClientMessage) => {
      expectDescribed(frame);
      client.send(frame);
    };
    await client.next('authenticated');
    send({ type: 'ping' });
    await client.next('pong');
    send({ type: 'subscribe', projectId: writer.projectId });
    await client.next('subscribed', (message) => message.sessionId === undefined);
    send({ type: 'subscribe', projectId: writer.projectId, sessionId: writer.sessionId, since: 0 });
    await client.until(() => client.cursor === 13);
    await writer.append([SessionWriter.finished]);
    await client.until(() => client.cursor === 14);
    await client.next('session', (message) => message.status === 'completed');
    send({ type: 'subscribe', projectId: writer.projectId, sessionId: writer.sessionId, since: 99 });
    await client.next('resync');
    send({ type: 'subscribe', projectId: randomUUID(), sessionId: randomUUID() });
    await client.next('error');
    send({ type: 'unsubscribe', projectId: writer.projectId, sessionId: writer.sessionId });
    await client.next('unsubscribed');
    await client.next('heartbeat');
    send({ type: 'auth', token: stack.config.identity.adminKey! });
    await client.until(
      () => client.messages.filter((message) => message.type === 'authenticated').length === 2,
    );

    const seen = new Set(client.messages.map((message: ServerMessage) => message.type));
    const everyType: (keyof ServerMessageMap)[] = [
      'subscribed',
      'events',
      'session',
      'resync',
      'heartbeat',
      'pong',
      'unsubscribed',
      'authenticated',
      'error',
    ];
    expect([...seen].sort()).toEqual([...everyType].sort());
    for (const message of client.messages) expectDescribed(message);
    client.close();
  });

  it('refuses what the contract refuses: a frame with a field it does not name', () => {
    const validate = validators.get('subscribe')!;
    expect(validate({ type: 'subscribe', projectId: randomUUID() })).toBe(true);
    expect(validate({ type: 'subscribe', projectId: randomUUID(), room: 'x' })).toBe(false);
    expect(validate({ type: 'subscribe', projectId: 'not-a-uuid' })).toBe(false);
  });
});
