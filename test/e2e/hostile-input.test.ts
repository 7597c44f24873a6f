import { MAX_JSON_DEPTH } from '#contracts';
import { MAX_SEQ } from '#contracts/dto';
import { request, startStack, TEST_ADMIN_KEY, type TestStack } from '../support/stack.js';
import { seededRandom } from '../support/random.js';

/**
 * Hostile input to every REST route: a seeded, bounded fuzzer plus the cases issue 15 found.
 * Whatever arrives, the API answers below 500, every 4xx is in Nest's error shape with a
 * message, and /api/health keeps answering meanwhile.
 */

const SEED = 15;
const GENERATED_PROBES = 400;
const CONCURRENCY = 8;

const deep = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const lines = (count: number) => Array(count).fill(TRANSCRIPT_LINE).join('\n');

const TRANSCRIPT_LINE = '{"type":"message","data":{"role":"assistant","text":"hi"}}';

const HOSTILE_TEXT = [
  '',
  ' ',
  'a\u0000b',
  '\u0000',
  'a\ud800b',
  '\udc00',
  '\ud83d\ude00',
  'x'.repeat(10_001),
  '1e300',
  '-1',
  '2147483648',
  '9007199254740993',
  'NaN',
  'Infinity',
  '-Infinity',
  '0x10',
  '1.5',
  '[object Object]',
  '__proto__',
  'demo',
  'replay',
  'claude-stream-json',
  TRANSCRIPT_LINE,
] as const;

const HOSTILE_NUMBERS = [0, -0, -1, 1.5, 2147483648, 1e300, -1e300, Number.MAX_SAFE_INTEGER + 2, 60_001];

const BODY_FIELDS = [
  'name',
  'agent',
  'format',
  'transcript',
  'eventIntervalMs',
  'prompt',
  'model',
  'x',
  '__proto__',
  'constructor',
] as const;

/** Raw query-string and path pieces that are not what encodeURIComponent would make. */
const RAW_PIECES = [
  '%',
  '%zz',
  '%00',
  'a%00',
  '%ED%A0%80',
  '%C0%AF',
  '%FF',
  '..',
  '%2e%2e',
  'x'.repeat(3000),
];

const CONTENT_TYPES = [
  'application/json',
  'application/json',
  'application/json; charset=utf-8',
  'application/json; charset=latin1',
  'application/json; charset=utf-16le',
  'application/json; charset=utf-7',
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/x-ndjson',
  'multipart/form-data; boundary=x',
  undefined,
] as const;

interface Probe {
  method: string;
  path: string;
  contentType?: string;
  body?: string;
}

interface Outcome {
  probe: string;
  status: number;
  body: string;
}

function probes(ids: { projectId: string; sessionId: string }): Probe[] {
  const { pick, next, ...random } = seededRandom(SEED);
  const int = (below: number) => random.int(0, below - 1);

  const jsonValue = (depth = 0): unknown => {
    switch (int(depth > 2 ? 4 : 7)) {
      case 0:
        return pick(HOSTILE_TEXT);
      case 1:
        return pick(HOSTILE_NUMBERS);
      case 2:
        return pick([true, false, null]);
      case 3:
        return pick(HOSTILE_TEXT);
      case 4:
        return Array.from({ length: int(3) }, () => jsonValue(depth + 1));
      default:
        return Object.fromEntries(
          Array.from({ length: int(3) }, () => [pick(BODY_FIELDS), jsonValue(depth + 1)]),
        );
    }
  };
  /** A valid body for the route with one or two fields made hostile, or something worse. */
  const body = (valid: Record<string, unknown>): string => {
    switch (int(9)) {
      case 0:
        return deep(pick([MAX_JSON_DEPTH + 1, 1000, 10_000, 100_000]));
      case 1:
        return `{"name":${deep(pick([100, 10_000]))}}`;
      case 2:
        return pick(['', 'null', '123', '"text"', '[]', '{', '{"agent":"demo"', 'NaN', '{"name":NaN}']);
      case 3:
        return JSON.stringify(Array.from({ length: int(3) }, () => jsonValue()));
      case 4:
        return JSON.stringify(valid);
      default: {
        const fields: Record<string, unknown> = { ...valid };
        for (let i = 0; i <= int(2); i++) fields[pick(BODY_FIELDS)] = jsonValue();
        return JSON.stringify(fields);
      }
    }
  };
  const startBody = () =>
    pick([
      { agent: 'demo' },
      { agent: 'demo', eventIntervalMs: 100 },
      { agent: 'replay', format: 'buildcast-ndjson', transcript: pick(HOSTILE_TEXT) },
      { agent: 'replay', format: 'buildcast-ndjson', transcript: lines(61), eventIntervalMs: 60_000 },
    ]);
  const encoded = (text: string): string => {
    try {
      return encodeURIComponent(text);
    } catch {
      return text; // a lone surrogate: let the URL parser encode it
    }
  };
  const contentType = () => (next() < 0.6 ? 'application/json' : pick(CONTENT_TYPES));
  const uuid = () => {
    const hex = Array.from({ length: 32 }, () => int(16).toString(16)).join('');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20)}`;
  };
  const pathValue = (valid: string): string => {
    const roll = next();
    if (roll < 0.45) return valid;
    if (roll < 0.6) return uuid();
    if (roll < 0.75) return pick(RAW_PIECES);
    return encoded(pick(HOSTILE_TEXT)) || 'x';
  };
  const query = (): string => {
    const keys = [
      'after',
      'limit',
      'waitMs',
      'since',
      'x',
      'after[a][b][c]',
      'after[]',
      `a${'[b]'.repeat(200)}`,
    ];
    const pairs = Array.from({ length: int(4) }, () => {
      const value =
        next() < 0.3 ? pick(RAW_PIECES) : encoded(pick([...HOSTILE_TEXT, '0', '5', '1000', '30000']));
      return `${pick(keys)}=${value}`;
    });
    return pairs.length > 0 ? `?${pairs.join('&')}` : '';
  };

  const routes: Array<() => Probe> = [
    () => ({ method: 'GET', path: `/health/${pathValue('api')}${query()}` }),
    () => ({
      method: 'POST',
      path: '/projects',
      contentType: contentType(),
      body: body({ name: 'fuzzed' }),
    }),
    () => ({ method: 'GET', path: `/projects${query()}` }),
    () => ({ method: 'GET', path: `/projects/${pathValue(ids.projectId)}` }),
    () => ({
      method: 'POST',
      path: `/projects/${pathValue(ids.projectId)}/builds${query()}`,
      contentType: contentType(),
      body: body(startBody()),
    }),
    () => ({ method: 'GET', path: `/projects/${pathValue(ids.projectId)}/builds${query()}` }),
    () => ({
      method: 'GET',
      path: `/projects/${pathValue(ids.projectId)}/builds/${pathValue(ids.sessionId)}`,
    }),
    () => ({
      method: 'GET',
      path: `/projects/${pathValue(ids.projectId)}/builds/${pathValue(ids.sessionId)}/events${query()}`,
    }),
    () => ({
      method: 'GET',
      path: `/projects/${pathValue(ids.projectId)}/builds/${pathValue(ids.sessionId)}/tool-calls/${pathValue('call-1')}`,
    }),
    () => ({
      method: 'POST',
      path: `/projects/${pathValue(ids.projectId)}/builds/${pathValue(ids.sessionId)}/cancel`,
      contentType: contentType(),
      body: next() < 0.5 ? body({}) : undefined,
    }),
    () => ({ method: pick(['PUT', 'PATCH', 'DELETE']), path: `/projects/${pathValue(ids.projectId)}` }),
  ];
  return Array.from({ length: GENERATED_PROBES }, () => pick(routes)());
}

describe('hostile input to the REST API', () => {
  let stack: TestStack;
  let projectId: string;
  let sessionId: string;

  beforeAll(async () => {
    stack = await startStack();
    projectId = (await request(`${stack.apiUrl}/projects`, { body: { name: 'hostile input' } })).body.id;
    sessionId = (await request(`${stack.apiUrl}/projects/${projectId}/builds`, { body: { agent: 'demo' } }))
      .body.sessionId;
    // Finished (no worker here: cancelled at once), so no long-poll of the fuzzer waits.
    await request(`${stack.apiUrl}/projects/${projectId}/builds/${sessionId}/cancel`, { method: 'POST' });
  });
  afterAll(async () => {
    await stack?.close();
  });

  async function send(probe: Probe): Promise<Outcome> {
    const response = await fetch(`${stack.apiUrl}${probe.path}`, {
      method: probe.method,
      headers: {
        authorization: `Bearer ${TEST_ADMIN_KEY}`,
        ...(probe.contentType ? { 'content-type': probe.contentType } : {}),
      },
      body: probe.body,
    });
    const text = await response.text();
    const label = `${probe.method} ${probe.path.slice(0, 200)} [${probe.contentType ?? 'no content-type'}] ${(probe.body ?? '').slice(0, 120)}`;
    return { probe: label, status: response.status, body: text };
  }

  /** What is wrong with an answer, or null: any 5xx, or a 4xx not in Nest's error shape. */
  function problem({ status, body }: Outcome): string | null {
    if (status >= 500) return `status ${status}: ${body.slice(0, 200)}`;
    if (status < 400) return null;
    let parsed: { statusCode?: unknown; error?: unknown; message?: unknown };
    try {
      parsed = JSON.parse(body);
    } catch {
      return `status ${status} without a JSON body: ${body.slice(0, 200)}`;
    }
    const message = parsed.message;
    const hasMessage =
      (typeof message === 'string' && message.length > 0) ||
      (Array.isArray(message) &&
        message.length > 0 &&
        message.every((m) => typeof m === 'string' && m.length > 0));
    if (parsed.statusCode !== status || typeof parsed.error !== 'string' || !hasMessage) {
      return `status ${status} not in Nest's error shape: ${body.slice(0, 200)}`;
    }
    return null;
  }

  async function sendAll(list: Probe[]): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    for (let i = 0; i < list.length; i += CONCURRENCY) {
      outcomes.push(...(await Promise.all(list.slice(i, i + CONCURRENCY).map(send))));
    }
    return outcomes;
  }

  it(`answers ${GENERATED_PROBES} generated requests below 500, every 4xx in Nest's shape`, async () => {
    const outcomes = await sendAll(probes({ projectId, sessionId }));
    const failures = outcomes.flatMap((outcome) => {
      const found = problem(outcome);
      return found ? [`${outcome.probe} → ${found}`] : [];
    });
    expect(failures).toEqual([]);
    // The fuzzer reached the handlers too, not only the refusals in front of them.
    expect(outcomes.filter(({ status }) => status < 300).length).toBeGreaterThan(10);
    const statuses = new Set(outcomes.map(({ status }) => status));
    for (const status of [200, 201, 202, 400, 404, 409, 415])
      expect([status, statuses.has(status)]).toEqual([status, true]);
  });

  async function expectRefusal(probe: Probe, status: number, message: RegExp): Promise<void> {
    const outcome = await send(probe);
    expect({ status: outcome.status, problem: problem(outcome) }).toEqual({ status, problem: null });
    expect(JSON.stringify(JSON.parse(outcome.body).message)).toMatch(message);
  }

  const builds = () => `/projects/${projectId}/builds`;
  const post = (path: string, body: unknown): Probe => ({
    method: 'POST',
    path,
    contentType: 'application/json',
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });

  it('refuses JSON nested deeper than MAX_JSON_DEPTH with a 400 naming the limit', async () => {
    const limit = new RegExp(`deeper than ${MAX_JSON_DEPTH} levels \\(MAX_JSON_DEPTH\\)`);
    for (const depth of [MAX_JSON_DEPTH + 1, 10_000, 1_000_000]) {
      await expectRefusal(post('/projects', deep(depth)), 400, limit);
    }
    await expectRefusal(post(builds(), `{"agent":"demo","model":${deep(5000)}}`), 400, limit);
    const transcript = `{"type":"x"}\n{"type":"y","a":${deep(1_000_000)}}`;
    await expectRefusal(
      post(builds(), { agent: 'replay', format: 'buildcast-ndjson', transcript }),
      400,
      /transcript: line 2 nests deeper than/,
    );
    // Brackets inside strings are text, not nesting.
    const name = `${'['.repeat(150)}{"`;
    const created = await send(post('/projects', { name }));
    expect([created.status, JSON.parse(created.body).name]).toEqual([201, name]);
  });

  it('answers /api/health while 8 MB bodies nested 4,000,000 deep are refused', async () => {
    const hostile = Array.from({ length: 3 }, () => send(post('/projects', deep(4_000_000))));
    const health = request(`${stack.apiUrl}/health`);
    await expect(health).resolves.toEqual(expect.objectContaining({ status: 200 }));
    const refused = await Promise.all(hostile);
    expect(refused.map(({ status }) => status)).toEqual([400, 400, 400]);
  });

  it('bounds the numbers to their column ranges, naming the field', async () => {
    const events = `${builds()}/${sessionId}/events`;
    await expectRefusal(
      { method: 'GET', path: `${events}?after=2147483648` },
      400,
      new RegExp(`after must not be greater than ${MAX_SEQ}`),
    );
    await expectRefusal(
      { method: 'GET', path: `${events}?after=1e300` },
      400,
      /after must not be greater than/,
    );
    await expectRefusal({ method: 'GET', path: `${events}?after=Infinity` }, 400, /after must be an integer/);
    await expectRefusal(
      { method: 'GET', path: `${events}?limit=1e300` },
      400,
      /limit must not be greater than 1000/,
    );
    await expectRefusal({ method: 'GET', path: `${events}?waitMs=NaN` }, 400, /waitMs must be an integer/);
    await expectRefusal(
      { method: 'GET', path: `${events}?after[a][b]=1` },
      400,
      /after\[a\]\[b\] should not exist/,
    );
    await expectRefusal(
      { method: 'GET', path: `${builds()}?limit=2147483648` },
      400,
      /limit must not be greater than 200/,
    );
    const last = await request(`${stack.apiUrl}${events}?after=${MAX_SEQ}`);
    expect(last).toEqual({ status: 200, body: expect.objectContaining({ events: [] }) });
  });

  it('refuses a NUL character anywhere with a 400 naming the field', async () => {
    const nul = /must not contain NUL characters/;
    await expectRefusal(post('/projects', { name: 'a\u0000b' }), 400, /name must not contain NUL/);
    await expectRefusal(
      post(builds(), { agent: 'demo', model: 'm\u0000' }),
      400,
      /model must not contain NUL/,
    );
    await expectRefusal(
      post(builds(), { agent: 'replay', format: 'buildcast-ndjson', transcript: '{}', prompt: '\u0000' }),
      400,
      /prompt must not contain NUL/,
    );
    await expectRefusal(
      { method: 'GET', path: `${builds()}/${sessionId}/tool-calls/a%00` },
      400,
      /toolCallId must not contain NUL/,
    );
    await expectRefusal(
      { method: 'GET', path: `/projects/${projectId}%00` },
      400,
      /projectId must not contain NUL/,
    );
    await expectRefusal({ method: 'GET', path: `${builds()}/${sessionId}/events?after=%00` }, 400, nul);
  });

  it('stores lone surrogates as U+FFFD, so Postgres text and jsonb never see them', async () => {
    const created = await send(post('/projects', '{"name":"a\\ud800b\\udc00"}'));
    expect(created.status).toBe(201);
    const { id, name } = JSON.parse(created.body);
    expect(name).toBe('a\ufffdb\ufffd');
    await expect(request(`${stack.apiUrl}/projects/${id}`)).resolves.toEqual({
      status: 200,
      body: expect.objectContaining({ name: 'a\ufffdb\ufffd' }),
    });
    const started = await send(
      post(`/projects/${id}/builds`, '{"agent":"demo","prompt":"p\\udbff","model":"\\udfff"}'),
    );
    expect(started.status).toBe(202);
    const snapshot = await request(
      `${stack.apiUrl}/projects/${id}/builds/${JSON.parse(started.body).sessionId}`,
    );
    expect(snapshot.body.session).toEqual(expect.objectContaining({ prompt: 'p\ufffd', model: '\ufffd' }));
  });

  it('refuses a replay or a demo paced past REPLAY_MAX_MS (1 h by default), naming eventIntervalMs', async () => {
    const replay = (transcript: string, eventIntervalMs: number) =>
      post(builds(), { agent: 'replay', format: 'buildcast-ndjson', transcript, eventIntervalMs });
    const tooSlow = /eventIntervalMs: .* would take longer than REPLAY_MAX_MS \(3600000 ms\)/;
    await expectRefusal(replay(lines(61), 60_000), 400, tooSlow);
    // The demo's 69 steps × 60 s.
    await expectRefusal(post(builds(), { agent: 'demo', eventIntervalMs: 60_000 }), 400, tooSlow);
    // 60 lines × 60 s fit exactly; lines that play no event are not paced.
    const noise = '{"type":"noise","data":{}}\n'.repeat(100);
    for (const fits of [replay(lines(60), 60_000), replay(noise + lines(60), 60_000)]) {
      await expect(send(fits)).resolves.toEqual(expect.objectContaining({ status: 202 }));
    }
    await expect(send(post(builds(), { agent: 'demo', eventIntervalMs: 50_000 }))).resolves.toEqual(
      expect.objectContaining({ status: 202 }),
    );
  });

  it("answers refusals of the HTTP parser, the body reader and the router in Nest's shape", async () => {
    await expectRefusal(
      { method: 'GET', path: `/projects?x=${'y'.repeat(20_000)}` },
      431,
      /could not be read/,
    );
    await expectRefusal(
      { method: 'POST', path: '/projects', contentType: 'application/json; charset=utf-16le', body: '{}' },
      415,
      /UTF-8/,
    );
    await expectRefusal({ method: 'GET', path: `/projects/%E0%A4%A` }, 400, /projectId|decode/i);
  });
});
