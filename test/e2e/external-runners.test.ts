import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import type { NewBuildEvent, Snapshot } from '#contracts';
import { createIngest } from '#client';
import { createParser } from '#transcripts';
import { eventually, FIXTURES } from '../support/builds.js';
import { request, startStack, TEST_ADMIN_KEY, type TestStack } from '../support/stack.js';
import { TRANSPORTS } from '../support/transports.js';

const started = (id: string): NewBuildEvent => ({
  type: 'tool.started',
  data: { toolCallId: id, name: 'Bash', input: { command: 'ls' }, todoIndex: null },
});
const finished = (id: string): NewBuildEvent => ({
  type: 'tool.finished',
  data: { toolCallId: id, output: 'ok', isError: false },
});

/**
 * agent "external": a runner Buildcast does not start feeds its build through POST …/events,
 * which appends through the runner's own BuildLog.append; a runner-worker's lease sweep ends
 * it once no append came for INTERRUPT_AFTER_MS.
 */
describe.each(TRANSPORTS)('external runners, over %s', (transport) => {
  let stack: TestStack;
  let builds: string;
  let projectId: string;
  let database: pg.Client;

  beforeAll(async () => {
    stack = await startStack({ transport, workers: 1 });
    const project = await request(`${stack.apiUrl}/projects`, { body: { name: 'external' } });
    projectId = project.body.id;
    builds = `${stack.apiUrl}/projects/${projectId}/builds`;
    database = new pg.Client({ connectionString: stack.config.databaseUrl });
    await database.connect();
  });
  afterAll(async () => {
    await database?.end();
    await stack?.close();
  });

  async function startExternal(body: Record<string, unknown> = {}): Promise<string> {
    const answer = await request<{ sessionId: string }>(builds, { body: { agent: 'external', ...body } });
    expect(answer.status).toBe(202);
    expect(answer.body).toEqual({ sessionId: expect.any(String), projectId, status: 'running' });
    return answer.body.sessionId;
  }
  const append = (sessionId: string, events: unknown, headers: Record<string, string> = {}) =>
    request(`${builds}/${sessionId}/events`, { body: { events }, headers });
  const snapshot = async (sessionId: string) => (await request<Snapshot>(`${builds}/${sessionId}`)).body;

  it('appends JSON events after a session.started of its own, and ends with session.finished', async () => {
    const sessionId = await startExternal({ agentId: 'ci-bot', model: 'm1', prompt: 'build it' });
    expect((await snapshot(sessionId)).session).toMatchObject({ status: 'running', agent: 'external' });
    expect(await append(sessionId, [started('a')])).toEqual({ status: 200, body: { fromSeq: 1, toSeq: 2 } });
    expect(await append(sessionId, [finished('a'), started('b')])).toEqual({
      status: 200,
      body: { fromSeq: 3, toSeq: 4 },
    });
    const ending = { type: 'session.finished', data: { status: 'completed', error: null } };
    expect(await append(sessionId, [finished('b'), ending])).toEqual({
      status: 200,
      body: { fromSeq: 5, toSeq: 6 },
    });
    const after = await snapshot(sessionId);
    expect(after.session).toMatchObject({
      status: 'completed',
      agentId: 'ci-bot',
      model: 'm1',
      prompt: 'build it',
    });
    expect(after.toolCalls.map((call) => [call.id, call.status])).toEqual([
      ['a', 'succeeded'],
      ['b', 'succeeded'],
    ]);
    const late = await append(sessionId, [started('c')]);
    expect(late.status).toBe(409);
    expect(late.body.message).toContain('finished');
  });

  it('appends a concurrent retry with the same Idempotency-Key once, answering every one alike', async () => {
    const sessionId = await startExternal();
    const headers = { 'idempotency-key': 'batch-1' };
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => append(sessionId, [started('x'), finished('x')], headers)),
    );
    expect(answers.map(({ status, body }) => ({ status, body }))).toEqual(
      Array.from({ length: 5 }, () => ({ status: 200, body: { fromSeq: 1, toSeq: 3 } })),
    );
    expect((await snapshot(sessionId)).seq).toBe(3);
    const other = await append(sessionId, [started('y')], headers);
    expect(other.status).toBe(422);
    expect(JSON.stringify(other.body.message)).toContain('Idempotency-Key');
    // The batch that finished the build is still answered as the first time.
    const ending = [{ type: 'session.finished', data: { status: 'failed', error: 'boom' } }];
    const first = await append(sessionId, ending, { 'idempotency-key': 'last' });
    const retried = await append(sessionId, ending, { 'idempotency-key': 'last' });
    expect(retried).toEqual(first);
    expect(first.body.fromSeq).toBe(4); // a failure is also told as a message before session.finished
    const after = await snapshot(sessionId);
    expect([after.seq, after.session.status]).toEqual([first.body.toSeq, 'failed']);
  });

  it('parses an NDJSON transcript body with ?format= as a replay would, ending with its result', async () => {
    const file = 'claude-stream-json_subagent-task-notification.jsonl';
    const text = await readFile(path.join(FIXTURES, file), 'utf8');
    const local = createParser('claude-stream-json', {
      agentId: 'external',
      projectName: 'external',
      prompt: null,
      model: null,
    });
    const expected = [...text.split('\n').flatMap((line) => local.parseLine(line)), ...local.end()];
    const sessionId = await startExternal();
    const answer = await request(`${builds}/${sessionId}/events?format=claude-stream-json`, {
      rawBody: text,
      headers: { 'content-type': 'application/x-ndjson' },
    });
    expect(answer).toEqual({ status: 200, body: { fromSeq: 1, toSeq: expected.length } });
    const after = await snapshot(sessionId);
    const ending = expected.at(-1)!;
    expect(ending.type).toBe('session.finished');
    expect(after.session.status).toBe((ending.data as { status: string }).status);
    expect(after.toolCalls.map((call) => call.id)).toEqual(
      expected.filter((event) => event.type === 'tool.started').map((event) => event.data.toolCallId),
    );
  });

  it('refuses bad input with a 400 naming the field, and builds that are not external with 409', async () => {
    const sessionId = await startExternal();
    const missing = await append(sessionId, [{ type: 'tool.started', data: { name: 'Bash' } }]);
    expect(missing.status).toBe(400);
    expect(missing.body.message).toEqual([expect.stringContaining('events[0].data')]);
    const unknown = await append(sessionId, [started('a'), { type: 'tool.exploded', data: {} }]);
    expect(unknown.body.message).toEqual([expect.stringContaining('events[1].type')]);
    const noFormat = await request(`${builds}/${sessionId}/events`, {
      rawBody: '{}\n',
      headers: { 'content-type': 'application/x-ndjson' },
    });
    expect(noFormat.status).toBe(400);
    expect(noFormat.body.message).toEqual([expect.stringContaining('format')]);
    expect((await append(sessionId, [], { 'idempotency-key': '' })).status).toBe(400);
    expect((await request(builds, { body: { agent: 'demo', agentId: 'x' } })).status).toBe(400);
    const demo = await request(builds, { body: { agent: 'demo' } });
    expect((await append(demo.body.sessionId, [started('a')])).status).toBe(409);
  });

  it('takes each append as the lease: a quiet session ends interrupted, and no worker ever claims one', async () => {
    const sessionId = await startExternal();
    const lease = async () =>
      (
        await database.query(`SELECT lease_expires_at, worker_id FROM build_sessions WHERE id = $1`, [
          sessionId,
        ])
      ).rows[0] as { lease_expires_at: Date; worker_id: string | null };
    const before = await lease();
    await append(sessionId, [started('a')]);
    const renewed = await lease();
    expect(renewed.lease_expires_at.getTime()).toBeGreaterThan(before.lease_expires_at.getTime());
    expect(renewed.worker_id).toBeNull();
    // As if INTERRUPT_AFTER_MS had passed since that append.
    await database.query(`UPDATE build_sessions SET lease_expires_at = now() WHERE id = $1`, [sessionId]);
    const ended = await eventually(async () => {
      const { session } = await snapshot(sessionId);
      return session.status === 'running' ? undefined : session;
    }, 'the sweep to end the quiet session');
    expect(ended.status).toBe('interrupted');
    expect(ended.error).toContain('INTERRUPT_AFTER_MS');
  });

  it('is fed by the SDK ingest client, whose cancel by the API ends it at once', async () => {
    const ingest = createIngest({
      baseUrl: stack.apiUrl.replace(/\/api$/, ''),
      projectId,
      token: TEST_ADMIN_KEY,
      flushOnExit: false,
    });
    const { sessionId } = await ingest.start({ model: 'sdk' });
    ingest.append([started('s1'), finished('s1')]);
    expect(await ingest.flush()).toEqual({ fromSeq: 1, toSeq: 3 });
    const cancel = await request(`${builds}/${sessionId}/cancel`, { method: 'POST' });
    expect(cancel.body.status).toBe('cancelled');
    await expect(ingest.finish('completed')).rejects.toEqual(expect.objectContaining({ status: 409 }));
    expect((await snapshot(sessionId)).session.status).toBe('cancelled');
  });
});
