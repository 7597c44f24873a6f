// The API's /ws forwarding when the gateway is away, and for paths it does not forward (the
// forwarded cases: test/gateway/auth.test.ts, Cookie and Origin; abuse-limits, X-Forwarded-For).
import { WebSocket } from 'ws';
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
