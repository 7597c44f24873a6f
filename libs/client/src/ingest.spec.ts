import type { NewBuildEvent } from './contracts.js';
import { HttpError } from './http.js';
import { createIngest, type IngestOptions } from './ingest.js';

const P = '11111111-1111-4111-8111-111111111111';
const S = '22222222-2222-4222-8222-222222222222';

interface Sent {
  url: string;
  key: string | null;
  authorization: string | null;
  body: { events?: NewBuildEvent[]; agent?: string };
}

/** A server that answers each POST with `answers` in turn (then 200), counting seqs like the API. */
function fakeServer(answers: (number | 'network')[] = []) {
  const sent: Sent[] = [];
  let seq = 0;
  const fetchImpl = ((url: string, init: RequestInit): Promise<Response> => {
    const headers = init.headers as Record<string, string>;
    const body = JSON.parse(init.body as string) as Sent['body'];
    sent.push({
      url,
      key: headers['idempotency-key'] ?? null,
      authorization: headers.authorization ?? null,
      body,
    });
    const answer = answers.shift() ?? 200;
    if (answer === 'network') return Promise.reject(new TypeError('fetch failed'));
    if (answer !== 200) {
      return Promise.resolve(
        new Response(JSON.stringify({ message: `status ${answer}` }), { status: answer }),
      );
    }
    if (url.endsWith('/builds')) {
      return Promise.resolve(
        Response.json({ sessionId: S, projectId: P, status: 'running' }, { status: 202 }),
      );
    }
    const count = body.events!.length;
    const range = { fromSeq: seq + 1, toSeq: seq + count };
    seq += count;
    return Promise.resolve(Response.json(range));
  }) as unknown as typeof fetch;
  return { sent, fetchImpl, appends: () => sent.filter((request) => request.url.endsWith('/events')) };
}

const message = (text: string): NewBuildEvent => ({ type: 'message', data: { role: 'assistant', text } });

function ingest(fetchImpl: typeof fetch, options: Partial<IngestOptions> = {}) {
  let keys = 0;
  return createIngest({
    baseUrl: 'http://buildcast.test',
    projectId: P,
    token: 'bc_key',
    fetch: fetchImpl,
    minBackoffMs: 1,
    maxBackoffMs: 1,
    flushOnExit: false,
    newKey: () => `key-${++keys}`,
    ...options,
  });
}

describe('createIngest', () => {
  it('starts an external build with the token', async () => {
    const server = fakeServer();
    const client = ingest(server.fetchImpl);
    const started = await client.start({ model: 'm' });
    expect(started.status).toBe('running');
    expect(client.sessionId).toBe(S);
    expect(server.sent[0]).toMatchObject({
      url: `http://buildcast.test/api/projects/${P}/builds`,
      authorization: 'Bearer bc_key',
      body: { agent: 'external', model: 'm' },
    });
  });

  it('sends a batch once it holds maxBatch events, in order, each with its own key', async () => {
    const server = fakeServer();
    const client = ingest(server.fetchImpl, { maxBatch: 2, flushIntervalMs: 60_000 });
    await client.start();
    client.append([message('a'), message('b'), message('c')]);
    client.append(message('d'));
    await client.flush();
    expect(server.appends().map((request) => request.body.events!.map((event) => event.data))).toEqual([
      [
        { role: 'assistant', text: 'a' },
        { role: 'assistant', text: 'b' },
        { role: 'assistant', text: 'c' },
      ],
      [{ role: 'assistant', text: 'd' }],
    ]);
    expect(server.appends().map((request) => request.key)).toEqual(['key-1', 'key-2']);
  });

  it('sends a small batch after the flush interval without being asked', async () => {
    const server = fakeServer();
    const client = ingest(server.fetchImpl, { flushIntervalMs: 5 });
    await client.start();
    client.append(message('a'));
    expect(server.appends()).toHaveLength(0);
    await new Promise<void>((resolve) => {
      const check = () => (server.appends().length > 0 ? resolve() : setImmediate(check));
      check();
    });
    expect(server.appends()[0].body.events).toEqual([message('a')]);
  });

  it('retries a batch on network errors and 5xx with the same Idempotency-Key', async () => {
    const server = fakeServer([200, 'network', 503, 502]);
    const client = ingest(server.fetchImpl);
    await client.start();
    client.append(message('a'));
    await expect(client.flush()).resolves.toEqual({ fromSeq: 1, toSeq: 1 });
    expect(server.appends().map((request) => request.key)).toEqual(['key-1', 'key-1', 'key-1', 'key-1']);
  });

  it('does not retry a 4xx, and then refuses to send later batches (they would leave a hole)', async () => {
    const server = fakeServer([200, 409]);
    const client = ingest(server.fetchImpl);
    await client.start();
    client.append(message('a'));
    await expect(client.flush()).rejects.toEqual(expect.objectContaining({ status: 409 }));
    client.append(message('b'));
    await expect(client.flush()).rejects.toBeInstanceOf(HttpError);
    expect(server.appends()).toHaveLength(1);
  });

  it('gives up after maxAttempts', async () => {
    const server = fakeServer([200, 503, 503, 503]);
    const client = ingest(server.fetchImpl, { maxAttempts: 3 });
    await client.start();
    client.append(message('a'));
    await expect(client.flush()).rejects.toEqual(expect.objectContaining({ status: 503 }));
    expect(server.appends()).toHaveLength(3);
  });

  it('finish sends what is queued, then session.finished, in one batch', async () => {
    const server = fakeServer();
    const client = ingest(server.fetchImpl, { flushIntervalMs: 60_000 });
    await client.start();
    client.append(message('a'));
    await expect(client.finish('completed')).resolves.toEqual({ fromSeq: 1, toSeq: 2 });
    expect(server.appends()).toHaveLength(1);
    expect(server.appends()[0].body.events).toEqual([
      message('a'),
      { type: 'session.finished', data: { status: 'completed', error: null } },
    ]);
  });

  it('asks getToken for the build once started', async () => {
    const server = fakeServer();
    const targets: unknown[] = [];
    const client = ingest(server.fetchImpl, {
      token: undefined,
      getToken: (target) => {
        targets.push(target);
        return Promise.resolve({ token: 'issued' });
      },
    });
    await client.start();
    await client.finish('completed');
    expect(targets).toEqual([{ projectId: P }, { projectId: P, sessionId: S }]);
    expect(server.appends()[0].authorization).toBe('Bearer issued');
  });

  it('refuses to send before start', async () => {
    const client = ingest(fakeServer().fetchImpl);
    client.append(message('a'));
    await expect(client.flush()).rejects.toThrow('start()');
  });
});
