import type { INestApplication } from '@nestjs/common';
import { loadConfig } from '#config';
import { IdentityService } from '#identity';
import { createApi } from '../../apps/api/src/create-api.js';
import { GatewayMetrics } from '../../apps/realtime-gateway/src/metrics/gateway-metrics.js';
import { freePort, startGateway, type TestGateway } from '../support/gateway.js';
import { SessionWriter } from '../support/session-writer.js';
import { request, startStack, TEST_ADMIN_KEY, type TestStack } from '../support/stack.js';
import { TestClient, upgradeStatus, type ConnectAuth } from '../support/ws-client.js';

/**
 * The agreed WebSocket auth protocol (docs/protocol.md, "Authentication") against the real
 * gateway, with keys, tokens and sign-ins minted by the real API over REST. The stack mints
 * 2-second tokens (TOKEN_TTL_SECONDS=2); a second API on the same database mints 10-minute
 * ones for the tests that are not about expiry.
 */
describe('gateway authentication', () => {
  let stack: TestStack;
  let gateway: TestGateway;
  let longTokensApi: INestApplication;
  let longTokensUrl: string;
  let writer: SessionWriter;
  /** A second session in writer's project. */
  let otherSession: string;
  /** A project of its own, with a session. */
  let foreign: SessionWriter;
  const clients: TestClient[] = [];

  const api = (path: string) => `${stack.apiUrl}${path}`;
  const sessionQuery = (w: SessionWriter = writer, since = 0) =>
    `?projectId=${w.projectId}&sessionId=${w.sessionId}&since=${since}`;

  const connect = async (query = '', auth?: ConnectAuth, url = gateway.wsUrl): Promise<TestClient> => {
    const client = await TestClient.connect(`${url}${query}`, { auth });
    clients.push(client);
    return client;
  };

  async function mint(
    projectId: string,
    sessionId?: string,
    from: 'short' | 'long' = 'long',
  ): Promise<{ token: string; expiresAt: string }> {
    const base = from === 'long' ? longTokensUrl : stack.apiUrl;
    const minted = await request<{ token: string; expiresAt: string }>(
      `${base}/projects/${projectId}/tokens`,
      {
        body: { sessionId },
      },
    );
    expect(minted.status).toBe(201);
    return minted.body;
  }

  async function createKey(scopes: string[], projectId?: string): Promise<{ id: string; key: string }> {
    const created = await request<{ id: string; key: string }>(api('/keys'), {
      body: { name: 'ws test', scopes, projectId },
    });
    expect(created.status).toBe(201);
    return created.body;
  }

  /** Signs in with `key` and returns the Cookie header a browser would send. */
  async function signIn(key: string): Promise<string> {
    const answer = await request(api('/session'), { key: null, body: { key } });
    expect(answer.status).toBe(204);
    return (answer.headers.get('set-cookie') ?? '').split(';')[0];
  }

  const authOutcomes = async (target: TestGateway = gateway): Promise<Record<string, number>> => {
    const metric = await target.app.get(GatewayMetrics).auth.get();
    return Object.fromEntries(metric.values.map((value) => [String(value.labels.outcome), value.value]));
  };

  beforeAll(async () => {
    const gatewayPort = await freePort();
    stack = await startStack({
      env: {
        TOKEN_TTL_SECONDS: '2',
        GATEWAY_URL: `http://127.0.0.1:${gatewayPort}`,
        // Revocations reach this gateway by Redis notice only; the re-check has a test of its own.
        GATEWAY_AUDIT_MS: '600000',
      },
    });
    gateway = await startGateway(stack.config, gatewayPort);
    const longConfig = loadConfig({
      ...stack.childEnv(),
      API_PORT: String(await freePort()),
      TOKEN_TTL_SECONDS: '600',
    });
    longTokensApi = await createApi(longConfig, ['error', 'warn']);
    await longTokensApi.listen(longConfig.apiPort, '127.0.0.1');
    longTokensUrl = `http://127.0.0.1:${longConfig.apiPort}/api`;
    writer = await SessionWriter.create(stack.api, 'auth test');
    await writer.append(SessionWriter.events(5, { start: true }));
    otherSession = (await request(api(`/projects/${writer.projectId}/builds`), { body: { agent: 'demo' } }))
      .body.sessionId;
    foreign = await SessionWriter.create(stack.api, 'another project');
    await foreign.append(SessionWriter.events(3, { start: true }));
  });
  afterEach(() => {
    for (const client of clients.splice(0)) client.close();
  });
  afterAll(async () => {
    await gateway?.close();
    await longTokensApi?.close();
    await stack?.close();
  });

  describe('without a credential', () => {
    it('closes 4401 when no auth message comes within 5 s', async () => {
      const client = await connect(sessionQuery(), { anonymous: true });
      expect(await client.waitForClose(15_000)).toEqual({
        code: 4401,
        reason: expect.stringMatching(/no credential within 5 s/),
      });
      expect(client.messages.map((message) => message.type)).not.toContain('subscribed');
    });

    it('closes 4401 on any other message before auth', async () => {
      const client = await connect('', { anonymous: true });
      client.send({ type: 'subscribe', projectId: writer.projectId });
      expect(await client.waitForClose()).toEqual({
        code: 4401,
        reason: expect.stringMatching(/authenticate first/),
      });
    });

    it('closes 4401 for a bad credential at connect, and for a bad auth message', async () => {
      const badKey = await connect('', { key: 'bc_abcdefgh_' + 'x'.repeat(43) });
      expect((await badKey.waitForClose()).code).toBe(4401);
      const apiKeyInUrl = await connect('', { token: TEST_ADMIN_KEY });
      expect(await apiKeyInUrl.waitForClose()).toEqual({
        code: 4401,
        reason: expect.stringMatching(/takes a subscription token/),
      });
      const badAuth = await connect('', { anonymous: true });
      badAuth.send({ type: 'auth', token: 'not.a.token' });
      expect(await badAuth.waitForClose()).toEqual({
        code: 4401,
        reason: 'credential unknown, revoked or expired',
      });
    });
  });

  describe('authenticating', () => {
    it('with an auth message: then the connect URL subscription, and a subscribe sent right behind it', async () => {
      const { token, expiresAt } = await mint(writer.projectId);
      const client = await connect(sessionQuery(), { anonymous: true });
      client.send({ type: 'auth', token });
      // Not waiting for the verdict: it is judged with the new credential, in order.
      client.send({ type: 'subscribe', projectId: writer.projectId });
      expect(await client.next('authenticated')).toEqual({ type: 'authenticated', expiresAt });
      await client.next('subscribed', (message) => message.sessionId === writer.sessionId);
      await client.next('subscribed', (message) => message.sessionId === undefined);
      await client.until(() => client.cursor === 5);
      await writer.append(SessionWriter.events(2, { prefix: 'after-auth' }));
      await client.until(() => client.cursor === 7);
      expect(client.violations).toEqual([]);
      expect(client.closed).toBeUndefined();
    });

    it('with ?token=', async () => {
      const { token } = await mint(writer.projectId, writer.sessionId);
      const client = await connect(`${sessionQuery()}`, { token });
      await client.next('subscribed');
      await client.until(() => client.cursor >= 5);
      expect(client.messages[0]).toMatchObject({ type: 'authenticated', expiresAt: expect.any(String) });
    });

    it('with the session cookie', async () => {
      const { key } = await createKey(['builds:read'], writer.projectId);
      const cookie = await signIn(key);
      const client = await connect(sessionQuery(), { cookie });
      const authenticated = await client.next('authenticated');
      // A cookie socket ends with the sign-in.
      expect(Date.parse(authenticated.expiresAt!)).toBeGreaterThan(Date.now());
      await client.next('subscribed');
      await client.until(() => client.cursor >= 5);
    });

    it('with an API key as Authorization', async () => {
      const { key } = await createKey(['builds:read']);
      const client = await connect(sessionQuery(), { key });
      expect(await client.next('authenticated')).toEqual({ type: 'authenticated', expiresAt: null });
      await client.until(() => client.cursor >= 5);
    });
  });

  describe('subscriptions outside the credential', () => {
    it('answers a subscribe to another project with forbidden, and closes 4403 for it in the connect URL', async () => {
      const { token } = await mint(writer.projectId);
      const client = await connect('', { token });
      await client.next('authenticated');
      client.send({ type: 'subscribe', projectId: foreign.projectId, sessionId: foreign.sessionId });
      client.send({ type: 'subscribe', projectId: foreign.projectId });
      // One that does not exist at all is refused the same way: nothing is revealed.
      client.send({ type: 'subscribe', projectId: '99999999-9999-4999-8999-999999999999' });
      await client.until(() => client.messages.filter((message) => message.type === 'error').length === 3);
      for (const error of client.messages.filter((message) => message.type === 'error')) {
        expect(error).toMatchObject({ code: 'forbidden' });
      }
      client.send({ type: 'ping' });
      await client.next('pong');
      expect(client.closed).toBeUndefined();

      const atConnect = await connect(sessionQuery(foreign), { token });
      expect((await atConnect.waitForClose()).code).toBe(4403);
      const outcomes = await authOutcomes();
      expect(outcomes.forbidden).toBeGreaterThanOrEqual(4);
    });

    it('keeps a token for one session out of the others and out of the project room', async () => {
      const { token } = await mint(writer.projectId, writer.sessionId);
      const client = await connect('', { token });
      client.send({ type: 'subscribe', projectId: writer.projectId, sessionId: otherSession });
      client.send({ type: 'subscribe', projectId: writer.projectId });
      await client.until(() => client.messages.filter((message) => message.type === 'error').length === 2);
      const errors = client.messages.filter((message) => message.type === 'error');
      expect(errors.map(({ code, sessionId }) => ({ code, sessionId }))).toEqual([
        { code: 'forbidden', sessionId: otherSession },
        { code: 'forbidden', sessionId: undefined },
      ]);
      client.send({ type: 'subscribe', projectId: writer.projectId, sessionId: writer.sessionId, since: 0 });
      await client.until(() => client.cursor >= 5);
    });
  });

  describe('expiry and renewal', () => {
    it('closes 4401 "credential expired" at the stated expiresAt', async () => {
      const { token, expiresAt } = await mint(writer.projectId, writer.sessionId, 'short');
      const client = await connect(sessionQuery(), { token });
      expect(await client.next('authenticated')).toEqual({ type: 'authenticated', expiresAt });
      expect(await client.waitForClose(10_000)).toEqual({ code: 4401, reason: 'credential expired' });
      expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(expiresAt));
      // And the expired token is refused at connect.
      const again = await connect(sessionQuery(), { token });
      expect((await again.waitForClose()).code).toBe(4401);
    });

    it('stays open past the first expiry after renewing with a fresh token, and keeps receiving', async () => {
      const first = await mint(writer.projectId, writer.sessionId, 'short');
      const fresh = await mint(writer.projectId, writer.sessionId);
      const client = await connect(sessionQuery(), { token: first.token });
      await client.next('authenticated', (message) => message.expiresAt === first.expiresAt);
      client.send({ type: 'auth', token: fresh.token });
      await client.next('authenticated', (message) => message.expiresAt === fresh.expiresAt);
      const before = client.cursor;
      // Past the first token's expiry (by the clock the gateway uses: the same process's).
      await client.until(() => Date.now() > Date.parse(first.expiresAt), 10_000, 'the first expiry');
      const { toSeq } = await writer.append(SessionWriter.events(3, { prefix: 'renewed' }));
      await client.until(() => client.cursor === toSeq, 10_000, `seq ${toSeq}`);
      expect(toSeq).toBeGreaterThan(before);
      expect(client.closed).toBeUndefined();
      expect(client.violations).toEqual([]);
    });

    it('closes 4403 when a renewal does not cover a room the socket is in', async () => {
      const client = await connect(`?projectId=${writer.projectId}`);
      await client.next('subscribed');
      const { token } = await mint(writer.projectId, writer.sessionId);
      client.send({ type: 'auth', token });
      expect(await client.waitForClose()).toEqual({
        code: 4403,
        reason: `the new credential does not cover project ${writer.projectId}`,
      });
    });
  });

  describe('revocation', () => {
    it('closes the sockets of a revoked key with 4401 at once, tokens minted with it too', async () => {
      const { id, key } = await createKey(['builds:read']);
      const byKey = await connect(sessionQuery(), { key });
      const minted = await request(`${longTokensUrl}/projects/${writer.projectId}/tokens`, { key, body: {} });
      const byToken = await connect(sessionQuery(), { token: minted.body.token });
      const admin = await connect(sessionQuery());
      await Promise.all([byKey, byToken, admin].map((client) => client.next('subscribed')));
      expect((await request(api(`/keys/${id}`), { method: 'DELETE' })).status).toBe(204);
      for (const client of [byKey, byToken]) {
        expect(await client.waitForClose()).toEqual({ code: 4401, reason: 'credential revoked' });
      }
      admin.send({ type: 'ping' });
      await admin.next('pong');
      expect(admin.closed).toBeUndefined();
    });

    it('closes cookie sockets with 4401 when their sign-in ends', async () => {
      const cookie = await signIn(TEST_ADMIN_KEY);
      const client = await connect(sessionQuery(), { cookie });
      await client.next('subscribed');
      const out = await request(api('/session'), { key: null, method: 'DELETE', headers: { cookie } });
      expect(out.status).toBe(204);
      expect(await client.waitForClose()).toEqual({ code: 4401, reason: 'credential revoked' });
    });

    it('closes them on the periodic re-check when the notice was lost', async () => {
      const auditing = await startGateway({
        ...stack.config,
        gateway: { ...stack.config.gateway, auditMs: 200 },
      });
      try {
        const { id, key } = await createKey(['builds:read']);
        const client = await connect(sessionQuery(), { key }, auditing.wsUrl);
        await client.next('subscribed');
        // Revoked in Postgres without the Redis notice the API would send.
        expect(await stack.api.get(IdentityService).revokeKey(id)).toBe(true);
        expect(await client.waitForClose()).toEqual({ code: 4401, reason: 'credential revoked' });
        expect((await authOutcomes(auditing)).revoked).toBe(1);
      } finally {
        await auditing.close();
      }
    });
  });

  describe('origins', () => {
    it('refuses an upgrade from a foreign Origin with HTTP 403, on the gateway and through the API', async () => {
      const apiWs = stack.apiUrl.replace(/^http/, 'ws').replace(/\/api$/, '/ws');
      const refusedBefore = (await authOutcomes()).origin_refused ?? 0;
      expect(await upgradeStatus(gateway.wsUrl, { origin: 'https://evil.example' })).toBe(403);
      expect(await upgradeStatus(apiWs, { origin: 'https://evil.example' })).toBe(403);
      expect(await upgradeStatus(gateway.wsUrl, { origin: stack.config.publicUrl })).toBe(101);
      expect((await authOutcomes()).origin_refused).toBe(refusedBefore + 2);
    });

    it("authenticates a browser's cookie through the API's /ws, with its Origin", async () => {
      const appOrigin = stack.apiUrl.replace(/\/api$/, '');
      const cookie = await signIn(TEST_ADMIN_KEY);
      const client = await connect(
        sessionQuery(),
        { cookie, origin: appOrigin },
        `${appOrigin.replace(/^http/, 'ws')}/ws`,
      );
      await client.next('authenticated');
      await client.until(() => client.cursor >= 5);
      const outcomes = await authOutcomes();
      expect(outcomes.authenticated).toBeGreaterThan(0);
    });
  });
});
