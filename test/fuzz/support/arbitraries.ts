import fc from 'fast-check';
import { AGENT_KINDS, BUILD_EVENT_TYPES, TRANSCRIPT_FORMATS } from '#contracts';
import type { FuzzCase, RestSurface, WsFrame } from './cases.js';

/**
 * fast-check arbitraries for every input surface: REST bodies, paths, queries and headers,
 * raw HTTP, WebSocket connect URLs and frames. Inputs are plain data; the ids of the fuzz
 * stack's rows appear as `{{name}}` placeholders (see REF), filled in when a case is sent,
 * so one seed yields the same inputs on any stack.
 */
export const REF = {
  project: '{{project}}',
  session: '{{session}}',
  finishedProject: '{{finishedProject}}',
  finished: '{{finished}}',
  toolCall: '{{toolCall}}',
  adminKey: '{{adminKey}}',
  /** A `builds:read` key limited to `project`. */
  readKey: '{{readKey}}',
  /** A subscription token for `session`. */
  token: '{{token}}',
  /** The build this run started last (queued: no runner-worker), else the live session. */
  build: '{{build}}',
} as const;

/** Keeps a field out of a generated object. */
const ABSENT = Symbol('absent');
type Maybe<T> = T | typeof ABSENT;

const SPECIAL_STRINGS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  'a\udfffb',
  '\uffff',
  '😀',
  'null',
  'true',
  '0',
  '-1',
  'NaN',
  '__proto__',
  'constructor',
  '{}',
  '[]',
  '../../etc/passwd',
  '%00',
  '%E0%A4%A',
  '<script>alert(1)</script>',
  "'; DROP TABLE projects; --",
  '\r\n',
  '\t',
  'x'.repeat(201),
  'x'.repeat(10_001),
];

const junkString = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 20 }) },
  { weight: 2, arbitrary: fc.constantFrom(...SPECIAL_STRINGS) },
);

/** Printable ASCII only: what fetch accepts in a header value. */
const headerSafe = (maxLength = 60) =>
  fc.array(fc.integer({ min: 0x20, max: 0x7e }), { maxLength }).map((codes) => String.fromCharCode(...codes));

const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: junkString },
  { weight: 2, arbitrary: fc.integer() },
  { weight: 1, arbitrary: fc.double() },
  { weight: 1, arbitrary: fc.constantFrom(true, false, null, 0, -0, 2 ** 31, 2 ** 53 + 2, -1, 1.5) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

/** A field: mostly a valid value, sometimes absent, sometimes anything at all. */
const field = (valid: fc.Arbitrary<unknown>): fc.Arbitrary<Maybe<unknown>> =>
  fc.oneof(
    { weight: 6, arbitrary: valid },
    { weight: 1, arbitrary: fc.constant(ABSENT) },
    { weight: 2, arbitrary: anyValue },
  );

/** An object of `fields` (absent ones left out), sometimes with an unknown field, sometimes not an object. */
function objectOf(fields: Record<string, fc.Arbitrary<Maybe<unknown>>>): fc.Arbitrary<unknown> {
  const object = fc
    .tuple(fc.record(fields), fc.option(fc.tuple(junkString, anyValue), { freq: 8 }))
    .map(([record, extra]) => {
      const value: Record<string, unknown> = {};
      for (const [key, item] of Object.entries(record)) if (item !== ABSENT) value[key] = item;
      if (extra) Object.defineProperty(value, extra[0], { value: extra[1], enumerable: true });
      return value;
    });
  return fc.oneof({ weight: 12, arbitrary: object }, { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 2 }) });
}

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
const depths = fc.constantFrom(63, 64, 65, 66, 100, 5_000);

/** A body's bytes: mostly the value as JSON, sometimes cut, not JSON, too deep, too big or missing. */
function bodyText(value: fc.Arbitrary<unknown>): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    { weight: 14, arbitrary: value.map((item) => JSON.stringify(item)) },
    {
      weight: 1,
      arbitrary: fc.tuple(value, fc.nat()).map(([item, cut]) => {
        const text = JSON.stringify(item) ?? '';
        return text.slice(0, cut % (text.length + 1));
      }),
    },
    { weight: 1, arbitrary: junkString },
    { weight: 1, arbitrary: depths.map((depth) => `{"name":${nested(depth)}}`) },
    // Over the fuzz stack's MAX_BODY_BYTES (64 KiB): 413; just under: the field's own limit.
    { weight: 1, arbitrary: fc.constantFrom(70_000, 60_000).map((n) => `{"name":"${'a'.repeat(n)}"}`) },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
}

const authorization = fc.oneof(
  { weight: 14, arbitrary: fc.constant<string | undefined>(`Bearer ${REF.adminKey}`) },
  { weight: 2, arbitrary: fc.constantFrom(`Bearer ${REF.readKey}`, `Bearer ${REF.token}`) },
  { weight: 2, arbitrary: fc.constant(undefined) },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'Bearer',
      'Bearer ',
      `bearer ${REF.adminKey}`,
      `Bearer ${REF.adminKey}x`,
      `Bearer  ${REF.adminKey}`,
      'Bearer bc_testadmin_wrong',
      'Bearer bc__',
      'Basic YWRtaW46YWRtaW4=',
      'Bearer eyJhbGciOiJub25lIn0.e30.',
      'Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl',
      'Token abc',
      `Bearer ${'x'.repeat(8_000)}`,
    ),
  },
  { weight: 1, arbitrary: headerSafe().map((text) => `Bearer ${text}`) },
  { weight: 1, arbitrary: headerSafe() },
);

const contentType = fc.oneof(
  { weight: 14, arbitrary: fc.constant<string | undefined>('application/json') },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      undefined,
      'text/plain',
      'application/json; charset=latin1',
      'application/json; charset=utf-16',
      'application/json; charset=UTF-8',
      'application/json; charset="utf-8"',
      'application/json; charset=',
      'application/json;;;',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/vnd.api+json',
      '*/*',
    ),
  },
  { weight: 1, arbitrary: headerSafe(30) },
);

const contentEncoding = fc.oneof(
  { weight: 40, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'x-bogus') },
);

const headers = fc
  .record({ authorization, contentType, contentEncoding })
  .map(({ authorization: auth, contentType: type, contentEncoding: encoding }) => {
    const result: Record<string, string> = {};
    if (auth !== undefined) result.authorization = auth;
    if (type !== undefined) result['content-type'] = type;
    if (encoding !== null) result['content-encoding'] = encoding;
    return result;
  });

/** encodeURIComponent, and for a lone surrogate (which it refuses) its UTF-8 bytes, invalid as they are. */
const encode = (text: string): string => {
  try {
    return encodeURIComponent(text);
  } catch {
    return text.replace(/[\ud800-\udfff]/g, '%ED%A0%80').replace(/[^\w%-]/g, (c) => encodeURIComponent(c));
  }
};

/** A path segment: the real row mostly, else an unknown UUID, junk, or a malformed escape. */
const pathId = (ref: string, other?: string) =>
  fc.oneof(
    { weight: 6, arbitrary: fc.constant(ref) },
    { weight: other ? 1 : 0, arbitrary: fc.constant(other ?? ref) },
    { weight: 2, arbitrary: fc.uuid() },
    { weight: 2, arbitrary: junkString.map(encode) },
    {
      weight: 1,
      arbitrary: fc.constantFrom(
        '%00',
        '%E0%A4%A',
        '%',
        '%zz',
        '%2e%2e',
        'a%2Fb',
        '%C0%AF',
        'x'.repeat(3_000),
        '00000000-0000-0000-0000-000000000000',
        'FFFFFFFF-FFFF-FFFF-FFFF-FFFFFFFFFFFF',
        '%20',
        `${ref}x`,
      ),
    },
  );
const projectId = pathId(REF.project, REF.finishedProject);
const sessionId = pathId(REF.session, REF.finished);
const buildId = fc.oneof({ weight: 2, arbitrary: fc.constant(REF.build) }, sessionId);

const BAD_NUMBERS = [
  '-1',
  '1.5',
  '1e400',
  'Infinity',
  'NaN',
  'abc',
  '',
  '2147483648',
  '9007199254740993',
  ' 1',
  '%00',
];
/** `waitMs` only ever valid and short (≤ 50 ms) or invalid, so no request waits long. */
const waitMsValue = fc.oneof(
  fc.integer({ min: 0, max: 50 }).map(String),
  fc.constantFrom('-1', '30001', '1e400', 'abc', '1.5', 'Infinity', '', '%00', '99999999999', '0x10'),
);
const numberValue = (max: number) =>
  fc.oneof(
    { weight: 3, arbitrary: fc.integer({ min: 0, max }).map(String) },
    { weight: 2, arbitrary: fc.constantFrom(...BAD_NUMBERS, '2147483647', '0', String(max + 1)) },
    { weight: 1, arbitrary: junkString.map(encode) },
  );
const junkKey = fc
  .oneof(junkString.map(encode), fc.constantFrom('after[a][b]', 'limit[]', 'waitMs[]', '__proto__', 'token'))
  .filter((key) => key !== 'waitMs');

/** A query string of known and unknown keys, repeated or not. */
const query = (known: Record<string, fc.Arbitrary<string>>) =>
  fc
    .array(
      fc.oneof(
        ...Object.entries(known).map(([key, value]) => value.map((text) => `${key}=${text}`)),
        fc.tuple(junkKey, numberValue(100)).map(([key, value]) => `${key}=${value}`),
      ),
      { maxLength: 4 },
    )
    .map((pairs) => (pairs.length > 0 ? `?${pairs.join('&')}` : ''));

const rest = (
  surface: RestSurface,
  method: fc.Arbitrary<string>,
  path: fc.Arbitrary<string>,
  body?: fc.Arbitrary<unknown>,
): fc.Arbitrary<FuzzCase> =>
  fc
    .record({
      method,
      path,
      headers,
      body: body ? bodyText(body) : fc.oneof({ weight: 9, arbitrary: fc.constant(undefined) }, junkString),
    })
    .map((value): FuzzCase => ({
      kind: 'rest',
      surface,
      method: value.method,
      path: value.path,
      headers: value.headers,
      body: value.method === 'GET' ? undefined : value.body,
    }));

/** NDJSON transcripts: real lines, generated JSON, junk, too-deep lines. */
function transcript(corpusLines: readonly string[]): fc.Arbitrary<unknown> {
  const line = fc.oneof(
    { weight: 4, arbitrary: fc.constantFrom(...corpusLines) },
    {
      weight: 2,
      arbitrary: fc
        .record({ type: fc.oneof(fc.constantFrom(...BUILD_EVENT_TYPES), junkString), data: anyValue })
        .map((value) => JSON.stringify(value)),
    },
    { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)) },
    { weight: 1, arbitrary: junkString },
    { weight: 1, arbitrary: fc.integer({ min: 62, max: 70 }).map(nested) },
  );
  return fc.oneof(
    {
      weight: 6,
      arbitrary: fc
        .tuple(fc.array(line, { minLength: 1, maxLength: 20 }), fc.constantFrom('\n', '\r\n'))
        .map(([lines, separator]) => lines.join(separator)),
    },
    { weight: 1, arbitrary: anyValue },
  );
}

/** Bodies that start a build (202), so the cap and cancelling queued builds are reached too. */
function validBuild(corpusLines: readonly string[]): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.record({ agent: fc.constant('demo'), eventIntervalMs: fc.integer({ min: 0, max: 100 }) }),
    fc.record({
      agent: fc.constant('replay'),
      format: fc.constantFrom(...TRANSCRIPT_FORMATS),
      transcript: fc
        .array(fc.constantFrom(...corpusLines), { minLength: 1, maxLength: 10 })
        .map((lines) => lines.join('\n')),
      model: fc.string({ maxLength: 20 }),
    }),
  );
}

function startBuildBody(corpusLines: readonly string[]) {
  return fc.oneof(
    { weight: 1, arbitrary: validBuild(corpusLines) },
    { weight: 4, arbitrary: mutatedBuild(corpusLines) },
  );
}

function mutatedBuild(corpusLines: readonly string[]) {
  return objectOf({
    agent: field(fc.constantFrom(...AGENT_KINDS, 'demo', 'demo', 'replay')),
    format: fc.oneof(
      { weight: 3, arbitrary: fc.constant<Maybe<unknown>>(ABSENT) },
      { weight: 4, arbitrary: fc.constantFrom(...TRANSCRIPT_FORMATS) },
      { weight: 1, arbitrary: anyValue },
    ),
    transcript: fc.oneof(
      { weight: 1, arbitrary: fc.constant(ABSENT) },
      { weight: 2, arbitrary: transcript(corpusLines) },
    ),
    eventIntervalMs: fc.oneof(
      { weight: 4, arbitrary: fc.constant<Maybe<unknown>>(ABSENT) },
      { weight: 3, arbitrary: fc.integer({ min: 0, max: 100 }) },
      { weight: 1, arbitrary: fc.constantFrom(-1, 60_000, 60_001, 1.5, 2 ** 31, 1e21, '20') },
      { weight: 1, arbitrary: anyValue },
    ),
    prompt: fc.oneof(
      { weight: 4, arbitrary: fc.constant<Maybe<unknown>>(ABSENT) },
      { weight: 2, arbitrary: junkString },
      { weight: 1, arbitrary: fc.constantFrom('--dangerously-skip-permissions', 'x'.repeat(10_001)) },
      { weight: 1, arbitrary: anyValue },
    ),
    model: fc.oneof(
      { weight: 4, arbitrary: fc.constant<Maybe<unknown>>(ABSENT) },
      { weight: 2, arbitrary: junkString },
      { weight: 1, arbitrary: anyValue },
    ),
  });
}

const SCOPES = ['admin', 'builds:read', 'builds:write', 'agents:run'];
/** A JSON id: the real one, an unknown UUID, or anything. */
const jsonId = (ref: string, other?: string) =>
  fc.oneof(
    { weight: 5, arbitrary: fc.constant<unknown>(ref) },
    { weight: other ? 1 : 0, arbitrary: fc.constant<unknown>(other ?? ref) },
    { weight: 2, arbitrary: fc.uuid() },
    { weight: 2, arbitrary: anyValue },
  );

const RAW_REQUESTS = [
  `GET /api/projects HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ${REF.adminKey}\r\nConnection: close\r\n\r\n`,
  'GARBAGE\r\n\r\n',
  'GET / HTTP/9.9\r\nConnection: close\r\n\r\n',
  `GET /api/projects HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\nConnection: close\r\n\r\n`,
  'POST /api/projects HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n',
  'POST /api/projects HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\nConnection: close\r\n\r\n{}',
  'GET /api/projects HTTP/1.1\r\nHost: x\r\nBad Header\r\nConnection: close\r\n\r\n',
  'GET /api/pro\u0000jects HTTP/1.1\r\nConnection: close\r\n\r\n',
  'GET http://evil.example/api/projects HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n',
  'POST /api/projects HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n0\r\n\r\n',
  'POST /api/projects HTTP/1.0\r\nContent-Type: application/json\r\nContent-Length: 12\r\n\r\n{"name":"\u00ff"}',
];
const rawHttp: fc.Arbitrary<FuzzCase> = fc
  .oneof(
    fc.constantFrom(...RAW_REQUESTS),
    fc
      .tuple(
        fc.oneof(fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH'), headerSafe(12)),
        headerSafe(80),
        fc.constantFrom('HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', ''),
      )
      .map(
        ([method, path, version]) =>
          `${method} /api/${path.replace(/ /g, '')} ${version}\r\nHost: x\r\nConnection: close\r\n\r\n`,
      ),
  )
  .map((text): FuzzCase => ({ kind: 'raw', surface: 'raw HTTP', text }));

// WebSocket frames.
const since = fc.oneof(
  { weight: 3, arbitrary: fc.constant<Maybe<unknown>>(ABSENT) },
  { weight: 3, arbitrary: fc.nat(40) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      -1,
      1.5,
      2_147_483_647,
      2_147_483_648,
      1e21,
      '5',
      '',
      null,
      'abc',
      true,
      [],
      {},
    ),
  },
  { weight: 1, arbitrary: anyValue },
);
const wsSessionId = fc.oneof(
  { weight: 2, arbitrary: fc.constant<Maybe<unknown>>(ABSENT) },
  { weight: 4, arbitrary: jsonId(REF.session, REF.finished) },
  { weight: 1, arbitrary: fc.constant(REF.build) },
);
const roomFields = {
  projectId: jsonId(REF.project, REF.finishedProject),
  sessionId: wsSessionId,
};
const textFrame = (value: fc.Arbitrary<unknown>): fc.Arbitrary<WsFrame> =>
  value.map((item) => ({ text: JSON.stringify(item) ?? 'undefined' }));

const frame: fc.Arbitrary<WsFrame> = fc.oneof(
  { weight: 5, arbitrary: textFrame(objectOf({ type: fc.constant('subscribe'), ...roomFields, since })) },
  { weight: 3, arbitrary: textFrame(objectOf({ type: fc.constant('unsubscribe'), ...roomFields })) },
  { weight: 3, arbitrary: textFrame(objectOf({ type: fc.constant('ping') })) },
  {
    weight: 2,
    arbitrary: textFrame(
      objectOf({
        type: fc.constant('auth'),
        token: jsonId(REF.adminKey, REF.token),
        key: fc.constant(ABSENT),
      }),
    ),
  },
  { weight: 2, arbitrary: textFrame(objectOf({ type: anyValue, ...roomFields })) },
  { weight: 2, arbitrary: junkString.map((text) => ({ text })) },
  {
    weight: 1,
    arbitrary: textFrame(
      fc.jsonValue({ maxDepth: 2 }).filter((v) => typeof v !== 'object' || Array.isArray(v) || v === null),
    ),
  },
  {
    weight: 1,
    arbitrary: fc.oneof(
      depths.map((depth) => ({
        text: `{"type":"subscribe","projectId":"${REF.project}","x":${nested(depth)}}`,
      })),
      depths.map((depth) => ({ text: `{"type":"ping","since":${nested(depth)}}` })),
      fc.constantFrom(1_000, 30_000).map((depth) => ({ text: nested(depth) })),
    ),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom('1e400', '-0', '1E1', '0.0', '1e-7', '00', '-1e400').map((raw) => ({
      text: `{"type":"subscribe","projectId":"${REF.project}","sessionId":"${REF.session}","since":${raw}}`,
    })),
  },
  {
    weight: 1,
    arbitrary: fc.constantFrom(65_000, 70_000).map((n) => ({
      text: `{"type":"subscribe","projectId":"${REF.project}","x":"${'a'.repeat(n)}"}`,
    })),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 64 }).map((bytes) => ({ binary: bytes })) },
  {
    weight: 1,
    arbitrary: fc
      .uint8Array({ maxLength: 32 })
      .map((bytes) => ({ invalidUtf8: Uint8Array.from([0x7b, 0xff, ...bytes, 0xfe, 0x7d]) })),
  },
  { weight: 1, arbitrary: fc.constant({ text: '' }) },
);
/** Over ws's own 1 MiB limit (1009): rare, they are big. */
const giantFrame: fc.Arbitrary<WsFrame> = fc.constant({ text: `"${'a'.repeat(1_100_000)}"` });

const connectValue = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(REF.project, REF.session, REF.finished, REF.finishedProject) },
  { weight: 2, arbitrary: fc.uuid() },
  { weight: 2, arbitrary: numberValue(40) },
  { weight: 2, arbitrary: junkString.map(encode) },
  {
    weight: 1,
    arbitrary: fc.constantFrom(
      '%E0%A4%A',
      '%00',
      '%5B'.repeat(5_000),
      `Bearer%20${REF.adminKey}`,
      REF.adminKey,
      REF.token,
      REF.readKey,
    ),
  },
);
const connectQuery = fc.oneof(
  { weight: 5, arbitrary: fc.constant('') },
  {
    weight: 4,
    arbitrary: fc
      .array(
        fc.tuple(
          fc.oneof(fc.constantFrom('projectId', 'sessionId', 'since', 'token'), junkKey),
          connectValue,
        ),
        { minLength: 1, maxLength: 4 },
      )
      .map((pairs) => pairs.map(([key, value]) => `${key}=${value}`).join('&')),
  },
);

const wsCase: fc.Arbitrary<FuzzCase> = fc
  .record({
    path: fc.oneof(
      { weight: 40, arbitrary: fc.constant('/ws') },
      fc.constantFrom('/ws/', '/WS', '/ws/x', '/wsx'),
    ),
    query: connectQuery,
    frames: fc.oneof(
      { weight: 300, arbitrary: fc.array(frame, { maxLength: 6 }) },
      { weight: 1, arbitrary: giantFrame.map((item) => [item]) },
      // More messages than GATEWAY_RATE_LIMIT (100 in 10 s): 4429.
      { weight: 1, arbitrary: fc.constant<WsFrame[]>([{ flood: 130 }]) },
    ),
    closeNormally: fc.boolean(),
    // The admin key mostly, as on REST, so most sockets get past authentication.
    authorization,
    // Always a session cookie with a value (an empty one counts as none: the socket would wait 5 s).
    cookie: fc.oneof(
      { weight: 20, arbitrary: fc.constant(undefined) },
      fc.constantFrom('buildcast_session=x', 'a=b; buildcast_session=%00'),
      headerSafe().map((text) => `buildcast_session=x${text.replace(/[;\s]/g, '')}`),
    ),
    // No Origin (not a browser) mostly; a foreign one is refused with 403.
    origin: fc.oneof(
      { weight: 20, arbitrary: fc.constant(undefined) },
      fc.constantFrom('http://evil.example', 'null', 'http://localhost:3000', 'http://127.0.0.1:3000'),
      headerSafe(30),
    ),
    // Most straight to the gateway; some through the API's /ws forwarding, the public URL.
    via: fc.oneof(
      { weight: 3, arbitrary: fc.constant<'gateway' | 'api'>('gateway') },
      fc.constant<'gateway' | 'api'>('api'),
    ),
  })
  .map((value): FuzzCase => ({ kind: 'ws', surface: 'WS', ...value }));

/** Every surface, weighted so about 60 % of inputs are HTTP requests and 40 % WebSocket connects and frames. */
export function fuzzCases(corpusLines: readonly string[]): fc.Arbitrary<FuzzCase> {
  const post = fc.constant('POST');
  const get = fc.constant('GET');
  return fc.oneof(
    {
      weight: 8,
      arbitrary: rest(
        'POST /projects',
        post,
        fc.constant('/projects'),
        objectOf({ name: field(junkString) }),
      ),
    },
    {
      weight: 16,
      arbitrary: rest(
        'POST …/builds',
        post,
        projectId.map((id) => `/projects/${id}/builds`),
        startBuildBody(corpusLines),
      ),
    },
    {
      weight: 5,
      arbitrary: rest(
        'POST …/cancel',
        post,
        fc.tuple(projectId, buildId).map(([p, s]) => `/projects/${p}/builds/${s}/cancel`),
      ),
    },
    {
      weight: 12,
      arbitrary: rest(
        'GET …/events',
        get,
        fc
          .tuple(
            projectId,
            sessionId,
            query({ after: numberValue(40), limit: numberValue(1_000), waitMs: waitMsValue }),
          )
          .map(([p, s, q]) => `/projects/${p}/builds/${s}/events${q}`),
      ),
    },
    {
      weight: 10,
      arbitrary: rest(
        'GET by id',
        get,
        fc.oneof(
          projectId.map((p) => `/projects/${p}`),
          fc
            .tuple(projectId, query({ limit: numberValue(200) }))
            .map(([p, q]) => `/projects/${p}/builds${q}`),
          fc.tuple(projectId, sessionId).map(([p, s]) => `/projects/${p}/builds/${s}`),
          fc
            .tuple(projectId, sessionId, pathId(REF.toolCall))
            .map(([p, s, t]) => `/projects/${p}/builds/${s}/tool-calls/${t}`),
          pathId('api').map((service) => `/health/${service}`),
        ),
      ),
    },
    {
      weight: 5,
      arbitrary: rest(
        'POST /keys',
        post,
        fc.constant('/keys'),
        objectOf({
          name: field(junkString),
          scopes: field(fc.array(fc.oneof(fc.constantFrom(...SCOPES), junkString), { maxLength: 5 })),
          projectId: fc.oneof({ weight: 2, arbitrary: fc.constant(ABSENT) }, jsonId(REF.project)),
        }),
      ),
    },
    {
      weight: 4,
      arbitrary: rest(
        'POST …/tokens',
        post,
        projectId.map((p) => `/projects/${p}/tokens`),
        objectOf({ sessionId: fc.oneof(fc.constant(ABSENT), jsonId(REF.session, REF.finished)) }),
      ),
    },
    {
      weight: 4,
      arbitrary: rest(
        'POST /session',
        post,
        fc.constant('/session'),
        objectOf({ key: field(jsonId(REF.adminKey)) }),
      ),
    },
    {
      weight: 3,
      arbitrary: rest(
        'other method or path',
        fc.constantFrom('PUT', 'DELETE', 'PATCH', 'GET', 'POST'),
        fc
          .array(fc.oneof(pathId(REF.project), fc.constantFrom('projects', 'builds', 'events')), {
            maxLength: 5,
          })
          .map((segments) => `/${segments.join('/')}`),
        anyValue,
      ),
    },
    { weight: 3, arbitrary: rawHttp },
    { weight: 12, arbitrary: wsCase },
  );
}
