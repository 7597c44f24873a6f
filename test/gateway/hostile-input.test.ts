import { CloseCode, MAX_JSON_DEPTH } from '#contracts';
import { gatewaySuite } from '../support/gateway.js';
import { SessionWriter } from '../support/session-writer.js';
import { TestClient } from '../support/ws-client.js';

const RATE_LIMIT = 20;
const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

/**
 * Everything an anonymous client can throw at /ws, against one gateway process: each attempt
 * is refused with the contract's close code, and the same process keeps serving a normal
 * watcher throughout (a crash would end it, and with it every other client).
 */
describe('gateway hostile input: one process survives all of it', () => {
  const suite = gatewaySuite({ GATEWAY_RATE_LIMIT: String(RATE_LIMIT) });
  let writer: SessionWriter;
  let watcher: TestClient;
  const clients: TestClient[] = [];

  beforeAll(async () => {
    writer = await SessionWriter.create(suite.stack.api);
    await writer.append(SessionWriter.events(10, { start: true }));
    watcher = await TestClient.connect(
      `${suite.gateway.wsUrl}?projectId=${writer.projectId}&sessionId=${writer.sessionId}&since=0`,
    );
    await watcher.until(() => watcher.cursor === 10, 15_000, 'the watcher to catch up');
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });
  afterAll(() => watcher?.close());

  const connect = async (query = '') => {
    const client = await TestClient.connect(`${suite.gateway.wsUrl}${query ? `?${query}` : ''}`);
    clients.push(client);
    return client;
  };
  const refused = async (send: (client: TestClient) => void, query = '') => {
    const client = await connect(query);
    send(client);
    return client.waitForClose(15_000);
  };
  const subscribeFrame = (extra: string) =>
    `{"type":"subscribe","projectId":"${writer.projectId}","sessionId":"${writer.sessionId}",${extra}}`;

  it("closes the issue's 5 KB probe frame with 4400 naming the depth limit", async () => {
    const probe = '{"type":"subscribe","projectId":"x","x":' + '['.repeat(2500) + ']'.repeat(2500) + '}';
    expect(await refused((client) => client.send(probe))).toEqual({
      code: CloseCode.badRequest,
      reason: `JSON nests deeper than ${MAX_JSON_DEPTH} levels (the gateway's limit)`,
    });
    expect(suite.gateway.child.exitCode).toBeNull();
  });

  it('closes deep JSON with 4400 wherever it nests: known fields, unknown fields, the top level', async () => {
    const frames = [
      subscribeFrame(`"since":${nested(MAX_JSON_DEPTH + 1)}`),
      subscribeFrame(`"x":${nested(20_000)}`),
      nested(30_000),
      `{"type":"ping","x":${'{"a":'.repeat(5_000)}1${'}'.repeat(5_000)}}`,
    ];
    for (const frame of frames) {
      const closed = await refused((client) => client.send(frame));
      expect(closed).toEqual({ code: CloseCode.badRequest, reason: expect.stringMatching(/deeper than/) });
    }
  });

  it('closes frames over 64 KiB with 4413, and ws closes frames over 1 MiB with 1009', async () => {
    expect(
      await refused((client) => client.send(subscribeFrame(`"x":"${'a'.repeat(70_000)}"`))),
    ).toMatchObject({ code: CloseCode.messageTooLarge });
    expect(await refused((client) => client.send(`[${'1,'.repeat(600_000)}1]`))).toMatchObject({
      code: 1009,
    });
  });

  it('closes binary frames, non-objects, malformed JSON, unknown types and invalid UTF-8', async () => {
    expect(
      await refused((client) => client.socket.send(Buffer.from('{"type":"ping"}'), { binary: true })),
    ).toEqual({ code: CloseCode.badRequest, reason: 'binary frames are not accepted; send JSON text' });
    for (const frame of ['42', '"subscribe"', 'null', '[]', 'true', '{"type":', '{"type":{"a":1}}', '']) {
      expect(await refused((client) => client.send(frame))).toMatchObject({ code: CloseCode.badRequest });
    }
    // ws itself refuses a text frame that is not UTF-8 (1007); the socket's error is handled.
    expect(
      await refused((client) => client.socket.send(Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), { binary: false })),
    ).toMatchObject({ code: 1007 });
  });

  it('closes bad connect URLs with 4400 naming the field', async () => {
    const P = writer.projectId;
    const S = writer.sessionId;
    const cases: [string, RegExp][] = [
      ['projectId=oops', /projectId/],
      ['projectId=', /projectId/],
      [`projectId=${P}&sessionId=%E0%A4%A`, /sessionId/],
      [`projectId=${P}&sessionId=${S}&since=-1`, /since/],
      [`projectId=${P}&sessionId=${S}&since=abc`, /since/],
      [`projectId=${P}&sessionId=${S}&since=1.5`, /since/],
      [`projectId=${P}&sessionId=${S}&since=1e400`, /since/],
      [`projectId=${'%5B'.repeat(5_000)}`, /projectId/],
    ];
    for (const [query, field] of cases) {
      const closed = await refused(() => undefined, query);
      expect(closed).toEqual({ code: CloseCode.badRequest, reason: expect.stringMatching(field) });
    }
  });

  it('closes a flood with 4429', async () => {
    const closed = await refused((client) => {
      for (let i = 0; i < RATE_LIMIT * 3; i++) client.send({ type: 'ping' });
    });
    expect(closed).toMatchObject({ code: CloseCode.rateLimited });
  });

  it('after all of it, the same process still serves: the old watcher live, a new one from since=0', async () => {
    expect(suite.gateway.child.exitCode).toBeNull();
    expect(suite.gateway.child.signalCode).toBeNull();
    const late = await connect(`projectId=${writer.projectId}&sessionId=${writer.sessionId}&since=0`);
    const last = await writer.append([
      ...SessionWriter.events(5, { prefix: 'after' }),
      SessionWriter.finished,
    ]);
    for (const client of [watcher, late]) {
      await client.until(() => client.cursor === last.toSeq, 15_000, 'every event');
      expect(client.violations).toEqual([]);
    }
    expect(watcher.closed).toBeUndefined();
    expect(suite.gateway.output()).not.toMatch(/RangeError|Maximum call stack/);
  });
});
