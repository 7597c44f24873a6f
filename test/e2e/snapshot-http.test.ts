import http from 'node:http';
import zlib from 'node:zlib';
import { jest } from '@jest/globals';
import { AppConfig } from '#config';
import type { NewBuildEvent, Snapshot, ToolCallDetail } from '#contracts';
import { BuildReadModel, EventStore } from '#persistence';
import { SnapshotResponses } from '../../apps/api/src/builds/snapshots/snapshot-responses.js';
import { SessionWriter } from '../support/session-writer.js';
import { request, startStack, TEST_ADMIN_KEY, type TestStack } from '../support/stack.js';

/** The body as sent (not decoded), with its headers: node:http decodes nothing. */
function rawGet(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { authorization: `Bearer ${TEST_ADMIN_KEY}`, ...headers } }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode!, headers: response.headers, body: Buffer.concat(chunks) }),
        );
        response.on('error', reject);
      })
      .on('error', reject);
  });
}

function decoded(body: Buffer, coding: string | undefined): Buffer {
  if (coding === 'gzip') return zlib.gunzipSync(body);
  if (coding === 'br') return zlib.brotliDecompressSync(body);
  return body;
}

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

  it('sends br or gzip as the client accepts (gzip first while running, br once finished), the same snapshot in every coding', async () => {
    const writer = await SessionWriter.create(stack.api, 'codings');
    await writer.append(SessionWriter.events(200, { start: true }));
    const expectCodings = async (cases: [string, string | null][]) => {
      const plain = await get(writer);
      expect(plain.headers.get('content-encoding')).toBeNull();
      const plainBytes = Number(plain.headers.get('content-length'));
      expect(plainBytes).toBeGreaterThan(1024);
      for (const [accept, coding] of cases) {
        // fetch decodes what it is sent: the body below is the decoded snapshot.
        const answer = await get(writer, { 'accept-encoding': accept });
        expect([accept, answer.headers.get('content-encoding')]).toEqual([accept, coding]);
        expect(answer.body).toEqual(plain.body);
        if (coding) expect(Number(answer.headers.get('content-length'))).toBeLessThan(plainBytes / 4);
        expect(answer.headers.get('etag')).toBe(plain.headers.get('etag'));
      }
    };
    await expectCodings([
      ['gzip, deflate, br', 'gzip'],
      ['br, deflate', 'br'],
      ['br;q=0, gzip', 'gzip'],
      ['deflate', null],
    ]);
    await writer.append([SessionWriter.finished]);
    await expectCodings([
      ['gzip, deflate, br', 'br'],
      ['br;q=0, gzip', 'gzip'],
      ['gzip;q=0.5, br;q=0', 'gzip'],
      ['deflate', null],
    ]);
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

  it('brings a cached running snapshot up to date by folding: byte for byte a cold build, in every coding', async () => {
    const writer = await SessionWriter.create(stack.api, 'folded');
    const readModel = stack.api.get(BuildReadModel);
    const store = stack.api.get(EventStore);
    const config = stack.api.get(AppConfig);
    // A fresh SnapshotResponses has nothing cached: it reads the whole snapshot from Postgres.
    const cold = async () => {
      const snapshots = new SnapshotResponses(readModel, config);
      const current = (await snapshots.validator(writer.projectId, writer.sessionId))!;
      const body = (await snapshots.body(writer.projectId, writer.sessionId, current, ['identity']))!;
      return { etag: body.etag, bytes: Buffer.concat(body.chunks) };
    };
    // Another API process, asked only now and then: it folds several appends at once.
    const otherProcess = new SnapshotResponses(readModel, config);
    const readWhole = jest.spyOn(readModel, 'getVersionedSnapshot');
    const long = (n: number) => `${n}: ${'a long output line 😀\n'.repeat(3)}`;
    const todos = (done: number) => ({
      type: 'todos.updated' as const,
      data: {
        todos: [0, 1, 2].map((i) => ({
          content: `Todo ${i}`,
          activeForm: `Doing ${i}`,
          status: i < done ? ('completed' as const) : ('pending' as const),
        })),
      },
    });
    const call = (id: string, output?: string): NewBuildEvent[] => [
      {
        type: 'tool.started',
        data: { toolCallId: id, name: 'Bash', input: { command: id, n: 1.5 }, todoIndex: 0 },
      },
      ...(output === undefined
        ? []
        : [{ type: 'tool.finished' as const, data: { toolCallId: id, output, isError: false } }]),
    ];
    const steps: (() => Promise<unknown>)[] = [
      () => writer.append([...SessionWriter.events(1, { start: true }), todos(0)]),
      () => writer.append([...call('a', long(1)), ...call('b', 'short'), ...call('open')]),
      () => writer.append([{ type: 'message', data: { role: 'assistant', text: 'Reading the files.' } }]),
      // Shortened by the runner: the log has a preview marked outputTruncated, the full text beside it.
      () =>
        store.append(
          writer.sessionId,
          [
            ...call('c'),
            {
              type: 'tool.finished',
              data: { toolCallId: 'c', output: 'head of', isError: true, outputTruncated: true },
            },
          ],
          { fullOutputs: new Map([['c', 'head of a very long log']]) },
        ),
      () => writer.append([todos(2), ...call('d', long(2))]),
      () =>
        readModel.recordAudit(writer.sessionId, {
          action: 'cancelled',
          actor: { keyId: null, keyName: 'ci', keyPrefix: 'bc_12345678' },
        }),
      () =>
        writer.append([
          { type: 'message', data: { role: 'assistant', text: 'Almost.' } },
          ...call('e', long(3)),
        ]),
      () => writer.append([{ type: 'session.finished', data: { status: 'cancelled', error: 'by request' } }]),
    ];
    const codings = ['identity', 'gzip', 'br'];
    for (const [index, step] of steps.entries()) {
      await step();
      const expected = await cold();
      readWhole.mockClear();
      for (const coding of codings) {
        const answer = await rawGet(buildUrl(writer), { 'accept-encoding': coding });
        expect([index, coding, answer.status, answer.headers.etag]).toEqual([
          index,
          coding,
          200,
          expected.etag,
        ]);
        expect(decoded(answer.body, answer.headers['content-encoding']).equals(expected.bytes)).toBe(true);
      }
      // Built by folding, not read whole (the first GET of the session reads it whole).
      expect(readWhole).toHaveBeenCalledTimes(index === 0 ? 1 : 0);
      if (index % 3 === 2 || index === steps.length - 1) {
        const current = (await otherProcess.validator(writer.projectId, writer.sessionId))!;
        const other = (await otherProcess.body(writer.projectId, writer.sessionId, current, ['identity']))!;
        expect(other.etag).toBe(expected.etag);
        expect(Buffer.concat(other.chunks).equals(expected.bytes)).toBe(true);
      }
    }
    readWhole.mockRestore();
    const last = JSON.parse((await cold()).bytes.toString()) as Snapshot;
    expect(last.session.status).toBe('cancelled');
    expect(last.toolCalls.map((c) => [c.id, c.status, c.outputTruncated])).toEqual([
      ['a', 'succeeded', true],
      ['b', 'succeeded', false],
      ['open', 'aborted', false],
      ['c', 'failed', true],
      ['d', 'succeeded', true],
      ['e', 'succeeded', true],
    ]);
    expect(last.messages.map((m) => m.text)).toEqual(['Reading the files.', 'Almost.']);
    expect(last.session.audit.map((entry) => entry.keyName)).toEqual(['ci']);
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
