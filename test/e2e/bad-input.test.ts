import pg from 'pg';
import { randomUUID } from 'node:crypto';
import { request, startStack, type TestStack } from '../support/stack.js';

/** Bad input gets a 4xx naming the problem, in Nest's error shape, and writes nothing. */
describe('bad input to the REST API', () => {
  let stack: TestStack;
  let projectId: string;
  let db: pg.Client;

  beforeAll(async () => {
    stack = await startStack({ env: { MAX_BODY_BYTES: '4096', REPLAY_MAX_MS: '1000' } });
    projectId = (await request(`${stack.apiUrl}/projects`, { body: { name: 'bad input' } })).body.id;
    db = new pg.Client({ connectionString: stack.database.url });
    await db.connect();
  });
  afterAll(async () => {
    await db?.end();
    await stack?.close();
  });

  const builds = () => `${stack.apiUrl}/projects/${projectId}/builds`;

  async function expectError(
    call: Promise<{ status: number; body: any }>,
    status: number,
    message: RegExp,
  ): Promise<void> {
    const { status: actual, body } = await call;
    expect({ status: actual, body }).toEqual({
      status,
      body: expect.objectContaining({ statusCode: status, error: expect.any(String) }),
    });
    expect(JSON.stringify(body.message)).toMatch(message);
  }

  it('rejects ids that are not UUIDs, naming the field', async () => {
    await expectError(request(`${stack.apiUrl}/projects/not-a-uuid`), 400, /projectId must be a UUID/);
    await expectError(request(`${builds()}/1234/events`), 400, /sessionId must be a UUID/);
    await expectError(
      request(`${stack.apiUrl}/projects/xyz/builds`, { body: { agent: 'demo' } }),
      400,
      /projectId/,
    );
  });

  it('answers 404 for unknown projects and builds', async () => {
    const unknown = randomUUID();
    await expectError(request(`${stack.apiUrl}/projects/${unknown}`), 404, /not found/);
    await expectError(
      request(`${stack.apiUrl}/projects/${unknown}/builds`, { body: { agent: 'demo' } }),
      404,
      /not found/,
    );
    await expectError(request(`${builds()}/${unknown}`), 404, /not found/);
    await expectError(request(`${builds()}/${unknown}/events`), 404, /not found/);
    await expectError(request(`${builds()}/${unknown}/cancel`, { method: 'POST' }), 404, /not found/);
  });

  it('rejects an unknown agent, a replay without transcript or format, and a non-NDJSON transcript', async () => {
    await expectError(
      request(builds(), { body: { agent: 'skynet' } }),
      400,
      /agent must be one of the following values: demo, replay/,
    );
    await expectError(
      request(builds(), { body: { agent: 'replay', format: 'claude-stream-json' } }),
      400,
      /transcript/,
    );
    await expectError(
      request(builds(), { body: { agent: 'replay', transcript: '{"type":"x"}' } }),
      400,
      /format must be one of/,
    );
    await expectError(
      request(builds(), { body: { agent: 'replay', format: 'codex-json', transcript: 'hello\nworld' } }),
      400,
      /transcript must hold NDJSON/,
    );
    await expectError(
      request(builds(), { body: { agent: 'demo', eventIntervalMs: -5 } }),
      400,
      /eventIntervalMs must not be less than 0/,
    );
    await expectError(
      request(builds(), { body: { agent: 'demo', extra: 1 } }),
      400,
      /property extra should not exist/,
    );
    await expectError(request(builds(), { body: {} }), 400, /agent must be one of/);
  });

  it('refuses a replay paced past REPLAY_MAX_MS at the default 20 ms per played line', async () => {
    const line = '{"type":"message","data":{"role":"assistant","text":"hi"}}';
    const replay = (lines: number) => ({
      agent: 'replay',
      format: 'buildcast-ndjson',
      transcript: Array(lines).fill(line).join('\n'),
    });
    await expectError(
      request(builds(), { body: replay(51) }),
      400,
      /eventIntervalMs: more than 50 played lines × 20 ms would take longer than REPLAY_MAX_MS \(1000 ms\)/,
    );
  });

  it('rejects an oversized body with 413 and malformed JSON with 400', async () => {
    const transcript = '{"type":"system"}\n'.repeat(500);
    await expectError(
      request(builds(), { body: { agent: 'replay', format: 'claude-stream-json', transcript } }),
      413,
      /exceeds the limit of 4096 bytes/,
    );
    await expectError(request(builds(), { rawBody: '{"agent": "demo"' }), 400, /not valid JSON/);
  });

  it('rejects bad query values and bad project bodies', async () => {
    const session = randomUUID();
    await expectError(
      request(`${builds()}/${session}/events?after=-1`),
      400,
      /after must not be less than 0/,
    );
    await expectError(
      request(`${builds()}/${session}/events?waitMs=40000`),
      400,
      /waitMs must not be greater than 30000/,
    );
    await expectError(request(`${builds()}/${session}/events?limit=abc`), 400, /limit must be an integer/);
    await expectError(
      request(`${stack.apiUrl}/projects`, { body: {} }),
      400,
      /name should not be empty|name must be a string/,
    );
    await expectError(
      request(`${stack.apiUrl}/projects`, { body: { name: '   ' } }),
      400,
      /name should not be empty/,
    );
  });

  it('wrote nothing for any of it', async () => {
    const sessions = await db.query('SELECT count(*)::int AS n FROM build_sessions');
    const projects = await db.query('SELECT count(*)::int AS n FROM projects');
    const events = await db.query('SELECT count(*)::int AS n FROM build_events');
    expect([sessions.rows[0].n, projects.rows[0].n, events.rows[0].n]).toEqual([0, 1, 0]);
  });

  it('cancels a queued build at once (no worker here) and refuses to cancel it twice', async () => {
    const { body } = await request(builds(), { body: { agent: 'demo' } });
    const cancelled = await request(`${builds()}/${body.sessionId}/cancel`, { method: 'POST' });
    expect(cancelled).toEqual({ status: 202, body: { sessionId: body.sessionId, status: 'cancelled' } });
    const snapshot = await request(`${builds()}/${body.sessionId}`);
    expect(snapshot.body.session).toEqual(
      expect.objectContaining({ status: 'cancelled', error: 'Cancelled before it started' }),
    );
    expect(snapshot.body.seq).toBe(1);
    await expectError(
      request(`${builds()}/${body.sessionId}/cancel`, { method: 'POST' }),
      409,
      /already finished \(cancelled\)/,
    );
  });
});
