import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { createApi } from '../../apps/api/src/create-api.js';
import { loadConfig } from '#config';
import { request, startStack, TEST_ADMIN_KEY, type TestStack } from '../support/stack.js';
import { pastExpiry } from '../support/tokens.js';
import { createTestDatabase } from '../support/database.js';
import { TEST_REDIS_URL, uniqueQueuePrefix } from '../support/redis.js';

/** Identity and access over REST (contract v2): keys, scopes, project limits, sign-in, tokens. */
describe('identity and access over REST', () => {
  let stack: TestStack;
  let projectA: string;
  let projectB: string;
  let sessionA: string;

  const url = (path: string) => `${stack.apiUrl}${path}`;
  async function createKey(scopes: string[], projectId?: string): Promise<{ id: string; key: string }> {
    const created = await request<{ id: string; key: string }>(url('/keys'), {
      body: { name: `key ${scopes.join(' ')}`, scopes, projectId },
    });
    expect(created.status).toBe(201);
    return created.body;
  }

  beforeAll(async () => {
    stack = await startStack({ env: { TOKEN_TTL_SECONDS: '2' } });
    projectA = (await request(url('/projects'), { body: { name: 'A' } })).body.id;
    projectB = (await request(url('/projects'), { body: { name: 'B' } })).body.id;
    sessionA = (await request(url(`/projects/${projectA}/builds`), { body: { agent: 'demo' } })).body
      .sessionId;
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('answers 401 without a credential or with a bad one, and leaves health open', async () => {
    const anonymous = await request(url('/projects'), { key: null });
    expect(anonymous.status).toBe(401);
    expect(anonymous.body).toMatchObject({
      statusCode: 401,
      error: 'Unauthorized',
      message: /Authorization: Bearer/,
    });
    expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect((await request(url('/projects'), { key: 'bc_abcdefgh_' + 'x'.repeat(43) })).status).toBe(401);
    expect((await request(url('/projects'), { key: 'nonsense' })).body.message).toMatch(
      /unknown, revoked or expired/,
    );
    expect(
      (await request(url('/projects'), { key: null, headers: { authorization: 'Basic abc' } })).status,
    ).toBe(401);
    expect((await request(url('/health'), { key: null })).status).not.toBe(401);
    expect((await request(url('/docs-json'), { key: null })).status).toBe(401);
    expect((await request(url('/docs-json'))).status).toBe(200);
  });

  it('creates keys shown once, lists them without secrets, and only for admin', async () => {
    const created = await createKey(['builds:read']);
    expect(created.key).toMatch(/^bc_[a-z0-9]{8}_/);
    const listed = await request(url('/keys'));
    expect(listed.status).toBe(200);
    expect(JSON.stringify(listed.body)).not.toContain(created.key.split('_').pop());
    expect(listed.body).toContainEqual(
      expect.objectContaining({ id: created.id, scopes: ['builds:read'], revokedAt: null }),
    );
    expect((await request(url('/keys'), { key: created.key })).status).toBe(403);
    const bad = await request(url('/keys'), { body: { name: 'x', scopes: ['root'] } });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body.message)).toMatch(/scopes/);
    const unknownProject = await request(url('/keys'), {
      body: { name: 'x', scopes: ['builds:read'], projectId: randomUUID() },
    });
    expect(unknownProject.status).toBe(400);
    expect(JSON.stringify(unknownProject.body.message)).toMatch(/projectId/);
    const projectAdmin = await request(url('/keys'), {
      body: { name: 'x', scopes: ['admin'], projectId: projectA },
    });
    expect(projectAdmin.status).toBe(400);
    expect(JSON.stringify(projectAdmin.body.message)).toMatch(/scopes: admin cannot be restricted/);
  });

  it('keeps a project key inside its project: 404 elsewhere, 403 for what its scopes lack', async () => {
    const { key } = await createKey(['builds:read'], projectA);
    const projects = await request(url('/projects'), { key });
    expect(projects.body.map((project: { id: string }) => project.id)).toEqual([projectA]);
    expect((await request(url(`/projects/${projectA}/builds/${sessionA}`), { key })).status).toBe(200);
    const hidden = await request(url(`/projects/${projectB}`), { key });
    expect(hidden.status).toBe(404);
    expect(hidden.body.message).toBe(`Project ${projectB} not found`);
    expect(
      (await request(url(`/projects/${projectB}/builds`), { key, body: { agent: 'demo' } })).status,
    ).toBe(404);
    expect(
      (await request(url(`/projects/${projectA}/builds`), { key, body: { agent: 'demo' } })).status,
    ).toBe(403);
    expect(
      (await request(url(`/projects/${projectA}/builds/${sessionA}/cancel`), { key, method: 'POST' })).status,
    ).toBe(403);
    expect((await request(url('/projects'), { key, body: { name: 'mine' } })).status).toBe(403);
  });

  it('lets only agents:run start a live agent, and agents:run nothing else', async () => {
    const writer = await createKey(['builds:write']);
    expect(
      (await request(url(`/projects/${projectA}/builds`), { key: writer.key, body: { agent: 'demo' } }))
        .status,
    ).toBe(202);
    const live = await request(url(`/projects/${projectA}/builds`), {
      key: writer.key,
      body: { agent: 'claude-code', prompt: 'hello' },
    });
    expect(live.status).toBe(403);
    expect(live.body.message).toMatch(/agent: .*agents:run/);
    const runner = await createKey(['agents:run']);
    expect(
      (await request(url(`/projects/${projectA}/builds`), { key: runner.key, body: { agent: 'demo' } }))
        .status,
    ).toBe(403);
    expect((await request(url(`/projects/${projectA}/builds`), { key: runner.key })).status).toBe(403);
  });

  it('stops a revoked key at once', async () => {
    const { id, key } = await createKey(['builds:read']);
    expect((await request(url('/projects'), { key })).status).toBe(200);
    expect((await request(url(`/keys/${id}`), { method: 'DELETE' })).status).toBe(204);
    expect((await request(url('/projects'), { key })).status).toBe(401);
    expect((await request(url(`/keys/${randomUUID()}`), { method: 'DELETE' })).status).toBe(404);
    const listed = await request(url('/keys'));
    expect(listed.body.find((row: { id: string }) => row.id === id).revokedAt).toEqual(expect.any(String));
  });

  describe('the web app sign-in', () => {
    async function signIn(key: string): Promise<string> {
      const answer = await request(url('/session'), { key: null, body: { key } });
      expect(answer.status).toBe(204);
      const setCookie = answer.headers.get('set-cookie') ?? '';
      expect(setCookie).toMatch(/buildcast_session=[^;]+/);
      expect(setCookie).toMatch(/HttpOnly/i);
      expect(setCookie).toMatch(/SameSite=Strict/i);
      return setCookie.split(';')[0];
    }

    it('trades a key for a cookie, and refuses a bad key with 401 naming it', async () => {
      const bad = await request(url('/session'), { key: null, body: { key: 'wrong' } });
      expect(bad.status).toBe(401);
      expect(bad.body.message).toMatch(/^key:/);
      const cookie = await signIn(TEST_ADMIN_KEY);
      const me = await request(url('/session'), { key: null, headers: { cookie } });
      expect(me.body).toMatchObject({ keyName: 'BUILDCAST_ADMIN_KEY', scopes: ['admin'], via: 'cookie' });
      expect((await request(url('/projects'), { key: null, headers: { cookie } })).status).toBe(200);
    });

    it('refuses unsafe requests with the cookie from a foreign Origin (CSRF)', async () => {
      const cookie = await signIn(TEST_ADMIN_KEY);
      const foreign = await request(url('/projects'), {
        key: null,
        headers: { cookie, origin: 'https://evil.example' },
        body: { name: 'csrf' },
      });
      expect(foreign.status).toBe(403);
      expect(foreign.body.message).toMatch(/Cross-site/);
      const own = await request(url('/projects'), {
        key: null,
        headers: { cookie, origin: stack.config.publicUrl },
        body: { name: 'same site' },
      });
      expect(own.status).toBe(201);
    });

    it('signs out: the cookie stops working and the answer says so', async () => {
      const cookie = await signIn(TEST_ADMIN_KEY);
      const out = await request(url('/session'), { key: null, method: 'DELETE', headers: { cookie } });
      expect(out.status).toBe(204);
      expect(out.headers.get('set-cookie')).toMatch(/buildcast_session=;/);
      expect((await request(url('/projects'), { key: null, headers: { cookie } })).status).toBe(401);
      expect((await request(url('/session'), { key: null, headers: { cookie } })).body.message).toBe(
        'Signed out',
      );
    });

    it('ends the sign-ins of a revoked key', async () => {
      const { id, key } = await createKey(['builds:read']);
      const cookie = await signIn(key);
      expect((await request(url('/projects'), { key: null, headers: { cookie } })).status).toBe(200);
      await request(url(`/keys/${id}`), { method: 'DELETE' });
      expect((await request(url('/projects'), { key: null, headers: { cookie } })).status).toBe(401);
    });
  });

  describe('subscription tokens', () => {
    async function mint(body: object = {}, key: string = TEST_ADMIN_KEY, projectId = projectA) {
      return request<{ token: string; expiresAt: string }>(url(`/projects/${projectId}/tokens`), {
        key,
        body,
      });
    }

    it('mints a short-lived token that reads its project and nothing else', async () => {
      const minted = await mint();
      expect(minted.status).toBe(201);
      expect(Date.parse(minted.body.expiresAt)).toBeGreaterThan(Date.now() - 1000);
      const token = minted.body.token;
      expect((await request(url(`/projects/${projectA}/builds/${sessionA}`), { key: token })).status).toBe(
        200,
      );
      expect((await request(url(`/projects/${projectB}/builds`), { key: token })).status).toBe(404);
      expect(
        (await request(url(`/projects/${projectA}/builds`), { key: token, body: { agent: 'demo' } })).status,
      ).toBe(403);
      expect((await mint({}, token)).status).toBe(403);
    });

    it('limits a token for one build to that build', async () => {
      const { token } = (await mint({ sessionId: sessionA })).body;
      expect(
        (await request(url(`/projects/${projectA}/builds/${sessionA}/events`), { key: token })).status,
      ).toBe(200);
      expect(
        (await request(url(`/projects/${projectA}/builds/${randomUUID()}`), { key: token })).status,
      ).toBe(404);
      expect((await request(url(`/projects/${projectA}/builds`), { key: token })).status).toBe(403);
      expect((await mint({ sessionId: randomUUID() })).status).toBe(404);
    });

    it('refuses tokens for projects outside the key, and tokens of a revoked key', async () => {
      const { id, key } = await createKey(['builds:read'], projectA);
      expect((await mint({}, key, projectB)).status).toBe(404);
      const { token } = (await mint({}, key)).body;
      expect((await request(url(`/projects/${projectA}`), { key: token })).status).toBe(200);
      await request(url(`/keys/${id}`), { method: 'DELETE' });
      expect((await request(url(`/projects/${projectA}`), { key: token })).status).toBe(401);
    });

    it('refuses an expired token with 401', async () => {
      const { token, expiresAt } = (await mint()).body;
      // TOKEN_TTL_SECONDS=2 here.
      await pastExpiry(expiresAt);
      expect((await request(url(`/projects/${projectA}`), { key: token })).status).toBe(401);
    });
  });
});

describe('the first start of a fresh install', () => {
  it('creates one admin key, prints its sign-in link once, and never again', async () => {
    const database = await createTestDatabase();
    const config = loadConfig({
      DATABASE_URL: database.url,
      REDIS_URL: TEST_REDIS_URL,
      QUEUE_PREFIX: uniqueQueuePrefix(),
    });
    const printed: string[] = [];
    const spy = jest.spyOn(Logger.prototype, 'log').mockImplementation((message: unknown) => {
      printed.push(String(message));
    });
    try {
      const first = await createApi(config, ['log']);
      await first.close();
      const links = printed.join('\n').match(/\/sign-in#key=(bc_\S+)/g) ?? [];
      expect(links).toHaveLength(1);
      printed.length = 0;
      const second = await createApi(config, ['log']);
      await second.listen(0, '127.0.0.1');
      expect(printed.join('\n')).not.toMatch(/sign-in#key=/);
      const key = links[0]?.split('#key=')[1] ?? '';
      const { port } = second.getHttpServer().address() as { port: number };
      expect((await request(`http://127.0.0.1:${port}/api/keys`, { key })).status).toBe(200);
      await second.close();
      const db = new pg.Client({ connectionString: database.url });
      await db.connect();
      const { rows } = await db.query(`SELECT scopes FROM api_keys`);
      await db.end();
      expect(rows).toEqual([{ scopes: ['admin'] }]);
    } finally {
      spy.mockRestore();
      await database.drop();
    }
  });
});
