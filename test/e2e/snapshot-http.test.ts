import type { Snapshot, ToolCallDetail } from '#contracts';
import { BuildReadModel } from '#persistence';
import { SessionWriter } from '../support/session-writer.js';
import { request, startStack, type TestStack } from '../support/stack.js';

/**
 * GET …/builds/:sessionId over real HTTP: validators and 304, caching by state, content
 * codings, output previews. The transport plays no part (Postgres alone answers).
 */
describe('snapshots over HTTP', () => {
  const PREVIEW = 16;
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startStack({ env: { SNAPSHOT_PREVIEW_CHARS: String(PREVIEW) } });
  });
  afterAll(() => stack?.close());

  const buildUrl = (writer: SessionWriter) =>
    `${stack.apiUrl}/projects/${writer.projectId}/builds/${writer.sessionId}`;
  const get = (writer: SessionWriter, headers: Record<string, string> = {}) =>
    request<Snapshot>(buildUrl(writer), { headers: { 'accept-encoding': 'identity', ...headers } });

  it('revalidates a running build: 304 while nothing changed, a new ETag after a commit or an audit entry', async () => {
    const writer = await SessionWriter.create(stack.api, 'running');
    await writer.append(SessionWriter.events(6, { start: true }));
    const first = await get(writer);
    expect(first.status).toBe(200);
    expect(first.body.seq).toBe(6);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^W\/"6-/);
    expect(first.headers.get('cache-control')).toBe('private, no-cache');
    expect(first.headers.get('vary')).toBe('Accept-Encoding, Authorization, Cookie');

    const unchanged = await get(writer, { 'if-none-match': etag });
    expect([unchanged.status, unchanged.body]).toEqual([304, undefined]);
    expect(unchanged.headers.get('etag')).toBe(etag);
    expect(unchanged.headers.get('cache-control')).toBe('private, no-cache');

    await writer.append(SessionWriter.events(2, { prefix: 'more' }));
    const committed = await get(writer, { 'if-none-match': etag });
    expect(committed.status).toBe(200);
    const readModel = stack.api.get(BuildReadModel);
    expect(committed.body).toEqual(
      await readModel.getSnapshot(writer.projectId, writer.sessionId, { outputPreviewChars: PREVIEW }),
    );
    expect(committed.body.seq).toBe(8);
    const afterCommit = committed.headers.get('etag')!;
    expect(afterCommit).toMatch(/^W\/"8-/);

    // The audit is no event: a cancel recorded at the same seq is a new snapshot all the same.
    await readModel.recordAudit(writer.sessionId, {
      action: 'cancelled',
      actor: { keyId: null, keyName: 'ci', keyPrefix: null },
    });
    const audited = await get(writer, { 'if-none-match': afterCommit });
    expect(audited.status).toBe(200);
    expect(audited.body.seq).toBe(8);
    expect(audited.body.session.audit.map((entry) => entry.keyName)).toEqual(['ci']);
    expect(audited.headers.get('etag')).not.toBe(afterCommit);
  });

  it('lets a finished build be kept (immutable) and still answers its validator with 304', async () => {
    const writer = await SessionWriter.create(stack.api, 'finished');
    await writer.append([...SessionWriter.events(4, { start: true }), SessionWriter.finished]);
    const first = await get(writer);
    expect(first.status).toBe(200);
    expect(first.body.session.status).toBe('completed');
    expect(first.headers.get('cache-control')).toBe('private, max-age=86400, immutable');
    const again = await get(writer, { 'if-none-match': first.headers.get('etag')! });
    expect(again.status).toBe(304);
    expect(again.headers.get('cache-control')).toBe('private, max-age=86400, immutable');
    // Another validator (a stale one, or any other) gets the body.
    const stale = await get(writer, { 'if-none-match': 'W/"3-stale"' });
    expect(stale.status).toBe(200);
    expect(stale.body).toEqual(first.body);
  });

  it('sends br or gzip as the client accepts, the same snapshot in every coding', async () => {
    const writer = await SessionWriter.create(stack.api, 'codings');
    await writer.append(SessionWriter.events(200, { start: true }));
    const plain = await get(writer);
    expect(plain.headers.get('content-encoding')).toBeNull();
    const plainBytes = Number(plain.headers.get('content-length'));
    expect(plainBytes).toBeGreaterThan(1024);
    const cases: [string, string | null][] = [
      ['gzip, deflate, br', 'br'],
      ['br;q=0, gzip', 'gzip'],
      ['gzip;q=0.5, br;q=0', 'gzip'],
      ['deflate', null],
    ];
    for (const [accept, coding] of cases) {
      // fetch decodes what it is sent: the body below is the decoded snapshot.
      const answer = await get(writer, { 'accept-encoding': accept });
      expect([accept, answer.headers.get('content-encoding')]).toEqual([accept, coding]);
      expect(answer.body).toEqual(plain.body);
      if (coding) expect(Number(answer.headers.get('content-length'))).toBeLessThan(plainBytes / 4);
      expect(answer.headers.get('etag')).toBe(plain.headers.get('etag'));
    }
    // A small body is not worth compressing.
    const small = await SessionWriter.create(stack.api, 'small');
    const tiny = await get(small, { 'accept-encoding': 'br, gzip' });
    expect([tiny.status, tiny.headers.get('content-encoding')]).toEqual([200, null]);
  });

  it('carries output previews marked outputTruncated; the whole output comes from the tool-call endpoint', async () => {
    const writer = await SessionWriter.create(stack.api, 'previews');
    const whole = 'line one of a long output\nline two\n';
    await writer.append([
      ...SessionWriter.events(1, { start: true }),
      { type: 'tool.started', data: { toolCallId: 'long', name: 'Bash', input: {}, todoIndex: null } },
      { type: 'tool.finished', data: { toolCallId: 'long', output: whole, isError: false } },
      { type: 'tool.started', data: { toolCallId: 'short', name: 'Bash', input: {}, todoIndex: null } },
      { type: 'tool.finished', data: { toolCallId: 'short', output: 'ok', isError: false } },
    ]);
    const { body } = await get(writer);
    expect(body.toolCalls.map((call) => [call.id, call.output, call.outputTruncated])).toEqual([
      ['long', whole.slice(0, PREVIEW), true],
      ['short', 'ok', false],
    ]);
    const full = await request<ToolCallDetail>(`${buildUrl(writer)}/tool-calls/long`);
    expect(full.status).toBe(200);
    expect(full.body).toEqual(
      expect.objectContaining({ output: whole, outputBytes: whole.length, outputTruncated: false }),
    );
  });

  it('answers 404 for a build of another project or none, with or without a validator', async () => {
    const writer = await SessionWriter.create(stack.api, 'missing');
    const other = await SessionWriter.create(stack.api, 'other');
    const wrongProject = `${stack.apiUrl}/projects/${other.projectId}/builds/${writer.sessionId}`;
    const missing = await request(wrongProject, { headers: { 'if-none-match': '*' } });
    expect(missing.status).toBe(404);
    expect(missing.body.message).toMatch(/not found/);
  });
});
