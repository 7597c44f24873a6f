import { request, startStack, type TestStack } from '../support/stack.js';

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
  let projectA: string;
  let sessionA: string;
  let keyId: string;
  const credentials: Record<string, string | null> = {};

  const url = (path: string) => `${stack.apiUrl}${path}`;

  beforeAll(async () => {
    stack = await startStack({ env: { TOKEN_TTL_SECONDS: '2' } });
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

    // Wait until the token has expired by its own statement (TOKEN_TTL_SECONDS=2), plus clock rounding.
    await new Promise((resolve) =>
      setTimeout(resolve, Math.max(0, Date.parse(expired.body.expiresAt) - Date.now()) + 1000),
    );
    // Minted after the wait, so it is valid: only its project is wrong.
    const otherToken = await request<{ token: string }>(url(`/projects/${projectB}/tokens`), { body: {} });
    credentials.anonymous = null;
    credentials['revoked key'] = revoked.key;
    credentials['expired token'] = expired.body.token;
    credentials["another project's key"] = otherProject.key;
    credentials["another project's token"] = otherToken.body.token;
  });
  afterAll(async () => {
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
      for (const [credential, key] of Object.entries(credentials)) {
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
});

function bodyFor(path: string): unknown {
  if (path.endsWith('/builds')) return { agent: 'demo' };
  if (path.endsWith('/keys')) return { name: 'x', scopes: ['admin'] };
  if (path.endsWith('/projects')) return { name: 'x' };
  return {};
}
