import { startGateway, type TestGateway } from '../support/gateway.js';
import { request, startStack, type TestStack } from '../support/stack.js';
import { pastExpiry } from '../support/tokens.js';
import { TestClient, type ConnectAuth } from '../support/ws-client.js';

/**
 * Every REST route (read from the API's own OpenAPI document, so a new route cannot be
 * forgotten) tried with each credential that must not get in. 0 may be accepted. The table
 * of route × outcome is printed for the closing note.
 */
const PUBLIC_ROUTES = new Set([
  'GET /api/health',
  'GET /api/health/{service}',
  'POST /api/session',
  'GET /api/session',
  'DELETE /api/session',
]);
type Outcome = 401 | 403 | 404;

describe('who may not use which route', () => {
  let stack: TestStack;
  let gateway: TestGateway;
  let projectA: string;
  let sessionA: string;
  let keyId: string;
  /** Each credential that must not get in; called per attempt, so a valid token is always fresh. */
  const credentials: Record<string, () => Promise<string | null>> = {};

  const url = (path: string) => `${stack.apiUrl}${path}`;

  beforeAll(async () => {
    stack = await startStack({ env: { TOKEN_TTL_SECONDS: '2' } });
    gateway = await startGateway(stack.config);
    projectA = (await request(url('/projects'), { body: { name: 'A' } })).body.id;
    const projectB = (await request(url('/projects'), { body: { name: 'B' } })).body.id;
    sessionA = (await request(url(`/projects/${projectA}/builds`), { body: { agent: 'demo' } })).body
      .sessionId;
    const key = async (scopes: string[], projectId?: string) =>
      (
        await request<{ id: string; key: string }>(url('/keys'), {
          body: { name: scopes.join('+'), scopes, projectId },
        })
      ).body;

    const revoked = await key(['admin']);
    await request(url(`/keys/${revoked.id}`), { method: 'DELETE' });
    const expired = await request<{ token: string; expiresAt: string }>(url(`/projects/${projectA}/tokens`), {
      body: {},
    });
    const otherProject = await key(['builds:read', 'builds:write', 'agents:run'], projectB);
    keyId = (await key(['builds:read'])).id;

    // TOKEN_TTL_SECONDS=2 here.
    await pastExpiry(expired.body.expiresAt);
    credentials.anonymous = () => Promise.resolve(null);
    credentials['revoked key'] = () => Promise.resolve(revoked.key);
    credentials['expired token'] = () => Promise.resolve(expired.body.token);
    credentials["another project's key"] = () => Promise.resolve(otherProject.key);
    // Minted at each use (tokens live 2 s here): valid, only its project is wrong.
    credentials["another project's token"] = async () =>
      (await request<{ token: string }>(url(`/projects/${projectB}/tokens`), { body: {} })).body.token;
  });
  afterAll(async () => {
    await gateway?.close();
    await stack?.close();
  });

  /** What each credential must get: never in; another project's ids are never revealed (404). */
  function expected(credential: string, path: string): Outcome {
    if (['anonymous', 'revoked key', 'expired token'].includes(credential)) return 401;
    return path.includes('{projectId}') ? 404 : 403;
  }

  it('accepts no request from a credential that may not make it', async () => {
    const document = await request<{ paths: Record<string, Record<string, unknown>> }>(
      `${url('/docs-json')}`,
    );
    expect(document.status).toBe(200);
    const routes = Object.entries(document.body.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((method) => ({ method: method.toUpperCase(), path })),
    );
    expect(routes.length).toBeGreaterThanOrEqual(14);

    const table: string[] = [
      `| route | ${Object.keys(credentials).join(' | ')} |`,
      `|---|${Object.keys(credentials)
        .map(() => '---|')
        .join('')}`,
    ];
    const wrong: string[] = [];
    for (const { method, path } of routes) {
      const route = `${method} ${path}`;
      if (PUBLIC_ROUTES.has(route)) continue;
      const concrete = path
        .replace('{projectId}', projectA)
        .replace('{sessionId}', sessionA)
        .replace('{toolCallId}', 'toolu_01')
        .replace('{id}', keyId)
        .replace(/^\/api/, '');
      const cells: string[] = [];
      for (const [credential, present] of Object.entries(credentials)) {
        const key = await present();
        const answer = await request(url(concrete), {
          method,
          key,
          body: method === 'GET' || method === 'DELETE' ? undefined : bodyFor(path),
        });
        const want =
          route === 'GET /api/projects' && key !== null && !credential.match(/revoked|expired/)
            ? 200
            : expected(credential, path);
        cells.push(String(answer.status));
        if (answer.status !== want)
          wrong.push(`${route} with ${credential}: ${answer.status}, expected ${want}`);
        if (want === 200) {
          // Listing is allowed, but only the credential's own project may show.
          const ids = Array.isArray(answer.body)
            ? (answer.body as { id: string }[]).map((project) => project.id)
            : [projectA];
          if (ids.includes(projectA)) wrong.push(`${route} with ${credential} listed project A`);
        }
      }
      table.push(`| \`${route}\` | ${cells.join(' | ')} |`);
    }
    console.log(`Route × credential (HTTP status):\n${table.join('\n')}`);
    expect(wrong).toEqual([]);
  });

  /**
   * The WebSocket ways in. A key is presented as Authorization, a token as ?token= (connect
   * paths) or in the auth message. What comes first decides: a close code, an `error`, or
   * `subscribed` (accepted, which no row may show).
   */
  it('accepts no WebSocket subscription from a credential that may not make it', async () => {
    const isToken = (credential: string) => credential.includes('token');
    const connectAuth = (credential: string, value: string | null): ConnectAuth =>
      value === null ? { anonymous: true } : isToken(credential) ? { token: value } : { key: value };
    const paths: Record<string, (credential: string, value: string | null) => Promise<string>> = {
      'connect ?projectId=A': (credential, value) =>
        firstVerdict(`?projectId=${projectA}`, connectAuth(credential, value)),
      'connect ?projectId=A&sessionId=S&since=0': (credential, value) =>
        firstVerdict(`?projectId=${projectA}&sessionId=${sessionA}&since=0`, connectAuth(credential, value)),
      'subscribe message for A': (credential, value) =>
        firstVerdict('', connectAuth(credential, value), [{ type: 'subscribe', projectId: projectA }]),
      'auth message, then subscribe to S': (_credential, value) =>
        firstVerdict('', { anonymous: true }, [
          { type: 'auth', token: value ?? '' },
          { type: 'subscribe', projectId: projectA, sessionId: sessionA, since: 0 },
        ]),
    };
    const expectedVerdict = (credential: string, path: string): string => {
      // An auth message without a token is malformed; the socket stays unauthenticated.
      if (credential === 'anonymous' && path.startsWith('auth')) return 'error bad_request';
      if (['anonymous', 'revoked key', 'expired token'].includes(credential)) return 'close 4401';
      return path.startsWith('connect') ? 'close 4403' : 'error forbidden';
    };

    const table = [
      `| path | ${Object.keys(credentials).join(' | ')} |`,
      `|---|${Object.keys(credentials)
        .map(() => '---|')
        .join('')}`,
    ];
    const wrong: string[] = [];
    for (const [path, attempt] of Object.entries(paths)) {
      const cells: string[] = [];
      for (const [credential, present] of Object.entries(credentials)) {
        const verdict = await attempt(credential, await present());
        cells.push(verdict);
        if (verdict !== expectedVerdict(credential, path)) {
          wrong.push(`${path} with ${credential}: ${verdict}, expected ${expectedVerdict(credential, path)}`);
        }
      }
      table.push(`| ${path} | ${cells.join(' | ')} |`);
    }
    console.log(`WebSocket path × credential:\n${table.join('\n')}`);
    expect(wrong).toEqual([]);
  });

  /** Connects, sends `messages`, and names what decided the subscription first. */
  async function firstVerdict(query: string, auth: ConnectAuth, messages: object[] = []): Promise<string> {
    const client = await TestClient.connect(`${gateway.wsUrl}${query}`, { auth });
    try {
      for (const message of messages) client.send(message);
      // An anonymous socket that sends nothing is closed after 5 s: wait longer than that.
      await client.until(
        () =>
          client.closed !== undefined ||
          client.messages.some((m) => m.type === 'subscribed' || m.type === 'error'),
        15_000,
        'a verdict',
      );
      const decided = client.messages.find((m) => m.type === 'subscribed' || m.type === 'error');
      if (decided?.type === 'error') return `error ${decided.code}`;
      if (decided?.type === 'subscribed') return 'subscribed';
      return `close ${client.closed?.code}`;
    } finally {
      client.close();
    }
  }
});

function bodyFor(path: string): unknown {
  if (path.endsWith('/builds')) return { agent: 'demo' };
  if (path.endsWith('/keys')) return { name: 'x', scopes: ['admin'] };
  if (path.endsWith('/projects')) return { name: 'x' };
  return {};
}
