// The API's /ws forwarding when the gateway is away, and for paths it does not forward (the
// forwarded cases: test/gateway/auth.test.ts, Cookie and Origin; abuse-limits, X-Forwarded-For).
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { once } from 'node:events';
import { WebSocket } from 'ws';
import { eventually } from '../support/builds.js';
import { freePort } from '../support/ports.js';
import { startStack, TEST_ADMIN_KEY, type TestStack } from '../support/stack.js';

/** The HTTP status an upgrade to `url` gets instead of a socket. */
function refusedStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers: { authorization: `Bearer ${TEST_ADMIN_KEY}` } });
    socket.once('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    socket.once('open', () => reject(new Error(`${url} opened a socket`)));
    socket.once('error', (error) => reject(error));
  });
}

describe("the API's WebSocket forwarding", () => {
  let stack: TestStack;

  beforeAll(async () => {
    // Nothing listens on the gateway's port: a closed port taken from the free ones.
    stack = await startStack({ env: { GATEWAY_URL: `http://127.0.0.1:${await freePort()}` } });
  });
  afterAll(async () => {
    await stack?.close();
  });

  const wsUrl = (path: string) => stack.apiUrl.replace(/^http/, 'ws').replace(/\/api$/, path);

  it('answers 502 Bad Gateway when the gateway is unreachable, and keeps serving', async () => {
    expect(await refusedStatus(wsUrl('/ws'))).toBe(502);
    expect(await refusedStatus(wsUrl('/ws?projectId=x'))).toBe(502);
    expect((await fetch(`${stack.apiUrl}/health`)).status).toBe(200);
  });

  it('answers 404 to an upgrade on any other path', async () => {
    expect(await refusedStatus(wsUrl('/api/ws'))).toBe(404);
    expect(await refusedStatus(wsUrl('/socket.io/'))).toBe(404);
  });
});

describe('a forwarded WebSocket the gateway ends', () => {
  let stack: TestStack;
  let gateway: Server;

  beforeAll(async () => {
    // A stand-in gateway: it accepts the upgrade, then sends a close frame and ends the socket.
    gateway = createServer();
    gateway.on('upgrade', (_request, socket) => {
      socket.write('HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n');
      socket.end(Buffer.from([0x88, 0x02, 0x03, 0xe8])); // close 1000
    });
    gateway.listen(0, '127.0.0.1');
    await once(gateway, 'listening');
    const { port } = gateway.address() as { port: number };
    stack = await startStack({ env: { GATEWAY_URL: `http://127.0.0.1:${port}` } });
  });
  afterAll(async () => {
    await stack?.close(); // waits for every connection to the API: it would hang on a leaked one
    gateway?.close();
  });

  it('is closed on the API once the client answers the close and ends its side', async () => {
    const { port } = new URL(stack.apiUrl);
    // A client that answers after the gateway's end (its close frame, then its FIN), as
    // browsers do: those bytes reach the API after the pipe to the gateway came down.
    const client = connect({ port: Number(port), host: '127.0.0.1', allowHalfOpen: true });
    client.write(
      'GET /ws HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n' +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n',
    );
    let received = '';
    client.on('data', (chunk: Buffer) => (received += chunk.toString('latin1')));
    await once(client, 'end');
    expect(received).toMatch(/^HTTP\/1\.1 101 /);
    client.end(Buffer.from([0x88, 0x82, 1, 2, 3, 4, 0x02, 0xea])); // its masked close 1000
    await once(client, 'close');

    const server = stack.api.getHttpServer() as Server;
    const connections = () =>
      new Promise<number>((resolve, reject) =>
        server.getConnections((error, count) => (error ? reject(error) : resolve(count))),
      );
    await eventually(
      async () => ((await connections()) === 0 ? true : undefined),
      'the API to close the forwarded socket',
      20_000,
    );
  });
});
