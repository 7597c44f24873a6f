// The OpenAPI document served at /api/docs-json, checked against the routes as they really
// answer: every operation documents a success with its schema and the errors it can give,
// and the bodies of real answers (successes and errors) from a running stack match the
// schema documented for their status, with no field missing and none extra.
import { randomUUID } from 'node:crypto';
import { Ajv, type ValidateFunction } from 'ajv';
import type { Snapshot } from '#contracts';
import { eventually, pollUntilFinished, startDemoBuild } from '../support/builds.js';
import { request, startStack, TEST_ADMIN_KEY, type TestStack } from '../support/stack.js';

type Schema = Record<string, unknown>;
interface Operation {
  parameters?: { in: string; name: string }[];
  requestBody?: unknown;
  security?: unknown[];
  responses: Record<string, { content?: { 'application/json'?: { schema: Schema } } }>;
}
interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}
interface Answer {
  status: number;
  body: unknown;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_BODY_BYTES = 4096;

describe('the OpenAPI document of the REST API', () => {
  let stack: TestStack;
  let api: string;
  let document: OpenApiDocument;
  let ajv: Ajv;
  const operations: { route: string; operation: Operation }[] = [];

  beforeAll(async () => {
    stack = await startStack({ workers: 1, env: { MAX_BODY_BYTES: String(MAX_BODY_BYTES) } });
    api = stack.apiUrl;
    const served = await request<OpenApiDocument>(`${api}/docs-json`);
    expect(served.status).toBe(200);
    document = served.body;
    for (const [path, methods] of Object.entries(document.paths))
      for (const [method, operation] of Object.entries(methods))
        operations.push({ route: `${method.toUpperCase()} ${path}`, operation });
    ajv = schemaValidator(document);
  });
  afterAll(() => stack?.close());

  /** The schema documented for `status` of `route`, compiled (null: documented without a body). */
  const validatorFor = (route: string, status: number): ValidateFunction | null => {
    const [method, path] = route.split(' ');
    const response = document.paths[path]?.[method.toLowerCase()]?.responses[String(status)];
    expect({ route, status, documented: response !== undefined }).toEqual({
      route,
      status,
      documented: true,
    });
    const schema = response?.content?.['application/json']?.schema;
    return schema ? ajv.compile(refsToComponents(schema)) : null;
  };

  /**
   * `answer`, a real answer of `route` (as the document writes it, e.g. `GET /api/projects/{projectId}`),
   * has the `status` expected, that status is documented, and the body matches its schema
   * (or there is none, as documented).
   */
  const expectDescribed = (route: string, status: number, answer: Answer): void => {
    expect({ route, status: answer.status }).toEqual({ route, status });
    const validate = validatorFor(route, status);
    const errors = validate ? (validate(answer.body) ? null : validate.errors) : answer.body;
    expect({ route, status, errors }).toEqual({ route, status, errors: validate ? null : undefined });
  };

  it('documents a success with its schema, or as no content, for every operation', () => {
    expect(document.openapi).toMatch(/^3\.0\./);
    expect(operations.length).toBeGreaterThanOrEqual(18);
    for (const { route, operation } of operations) {
      const successes = Object.entries(operation.responses).filter(([status]) => /^2\d\d$/.test(status));
      const undescribed = successes
        .filter(([status, response]) => status !== '204' && !response.content?.['application/json']?.schema)
        .map(([status]) => status);
      expect({ route, successes: successes.length > 0, undescribed }).toEqual({
        route,
        successes: true,
        undescribed: [],
      });
    }
  });

  it('lists the errors each operation can answer, by what the route takes and who guards it', () => {
    for (const { route, operation } of operations) {
      const isHealth = route.startsWith('GET /api/health');
      const expected = new Set<string>(['503']);
      if (!isHealth) expected.add('429'); // every route but health counts against the rate limits
      if (operation.security?.length) ['401', '403'].forEach((status) => expected.add(status));
      if (operation.parameters?.length || operation.requestBody) expected.add('400');
      if (operation.requestBody) ['413', '415'].forEach((status) => expected.add(status));
      if (operation.parameters?.some((parameter) => parameter.in === 'path')) expected.add('404');
      const listed = Object.keys(operation.responses).filter((status) => /^[45]\d\d$/.test(status));
      const missing = [...expected].filter((status) => !listed.includes(status));
      expect({ route, missing }).toEqual({ route, missing: [] });
      // Every error answer carries the error body (health's 503 is its report).
      for (const status of listed) {
        const schema = operation.responses[status].content?.['application/json']?.schema;
        const body = isHealth && status === '503' ? 'HealthReport' : 'Error';
        expect({ route, status, schema }).toEqual({
          route,
          status,
          schema: { $ref: `#/components/schemas/${body}` },
        });
      }
    }
  });

  it('describes the real answers of projects, builds, snapshots, events and tool calls', async () => {
    const created = await request<{ id: string }>(`${api}/projects`, { body: { name: 'described' } });
    expectDescribed('POST /api/projects', 201, created);
    expectDescribed('GET /api/projects', 200, await request(`${api}/projects`));
    expectDescribed(
      'GET /api/projects/{projectId}',
      200,
      await request(`${api}/projects/${created.body.id}`),
    );

    // A demo build played to its end: every event type, a finished snapshot with tool calls.
    const { projectId, sessionId } = await startDemoBuild(api, 'demo-described', 0);
    const buildsUrl = `${api}/projects/${projectId}/builds`;
    const buildUrl = `${buildsUrl}/${sessionId}`;
    await pollUntilFinished(api, projectId, sessionId);
    const build = '/api/projects/{projectId}/builds/{sessionId}';
    const events = await request<{ events: { type: string }[] }>(`${buildUrl}/events?after=0&limit=1000`);
    expect(new Set(events.body.events.map((event) => event.type)).size).toBeGreaterThanOrEqual(5);
    expectDescribed(`GET ${build}/events`, 200, events);
    expectDescribed('GET /api/projects/{projectId}/builds', 200, await request(buildsUrl));

    const snapshot = await request<Snapshot>(buildUrl);
    expect(snapshot.body.toolCalls.length).toBeGreaterThan(0);
    expectDescribed(`GET ${build}`, 200, snapshot);
    const etag = snapshot.headers.get('etag')!;
    expectDescribed(`GET ${build}`, 304, await request(buildUrl, { headers: { 'if-none-match': etag } }));
    const toolCallUrl = `${buildUrl}/tool-calls/${encodeURIComponent(snapshot.body.toolCalls[0].id)}`;
    expectDescribed(`GET ${build}/tool-calls/{toolCallId}`, 200, await request(toolCallUrl));

    // A slow build, cancelled whether a worker has taken it yet or not; the finished one conflicts.
    const started = await request<{ sessionId: string }>(buildsUrl, {
      body: { agent: 'demo', eventIntervalMs: 10_000 },
    });
    expectDescribed('POST /api/projects/{projectId}/builds', 202, started);
    const cancelled = await request(`${buildsUrl}/${started.body.sessionId}/cancel`, { method: 'POST' });
    expectDescribed(`POST ${build}/cancel`, 202, cancelled);
    expectDescribed(`POST ${build}/cancel`, 409, await request(`${buildUrl}/cancel`, { method: 'POST' }));
  });

  it('describes the real answers of keys, tokens, sign-in and health', async () => {
    const project = await request<{ id: string }>(`${api}/projects`, { body: { name: 'keys-described' } });
    const key = await request<{ id: string; key: string }>(`${api}/keys`, {
      body: { name: 'reader', scopes: ['builds:read'], projectId: project.body.id },
    });
    expectDescribed('POST /api/keys', 201, key);
    expectDescribed('GET /api/keys', 200, await request(`${api}/keys`));

    const as = key.body.key;
    const tokensUrl = `${api}/projects/${project.body.id}/tokens`;
    expectDescribed(
      'POST /api/projects/{projectId}/tokens',
      201,
      await request(tokensUrl, { body: {}, key: as }),
    );
    expectDescribed('GET /api/session', 200, await request(`${api}/session`, { key: as }));
    const signIn = await request(`${api}/session`, { body: { key: as }, key: null });
    expectDescribed('POST /api/session', 204, signIn);
    expectDescribed(
      'DELETE /api/session',
      204,
      await request(`${api}/session`, { method: 'DELETE', key: null }),
    );
    expectDescribed(
      'DELETE /api/keys/{id}',
      204,
      await request(`${api}/keys/${key.body.id}`, { method: 'DELETE' }),
    );

    // Health once everything is up (the worker announces itself in its own time).
    const health = await eventually(async () => {
      const answer = await request(`${api}/health`, { key: null });
      return answer.status === 200 ? answer : undefined;
    }, 'the stack to be healthy');
    expectDescribed('GET /api/health', 200, health);
    expectDescribed('GET /api/health/{service}', 200, await request(`${api}/health/database`, { key: null }));
  });

  it('describes the real error answers: 400, 401, 403, 404, 413', async () => {
    const reader = await request<{ key: string }>(`${api}/keys`, {
      body: { name: 'reader', scopes: ['builds:read'] },
    });
    const errors: [string, number, Promise<Answer>][] = [
      ['GET /api/projects/{projectId}', 400, request(`${api}/projects/not-a-uuid`)],
      ['POST /api/projects', 400, request(`${api}/projects`, { body: { name: '' } })],
      ['GET /api/health/{service}', 400, request(`${api}/health/a%00b`, { key: null })],
      ['GET /api/projects', 401, request(`${api}/projects`, { key: null })],
      [
        'POST /api/session',
        401,
        request(`${api}/session`, { body: { key: `${TEST_ADMIN_KEY}x` }, key: null }),
      ],
      ['POST /api/projects', 403, request(`${api}/projects`, { body: { name: 'x' }, key: reader.body.key })],
      ['GET /api/projects/{projectId}', 404, request(`${api}/projects/${randomUUID()}`)],
      ['GET /api/health/{service}', 404, request(`${api}/health/nothing`, { key: null })],
      ['POST /api/projects', 413, request(`${api}/projects`, { body: { name: 'x'.repeat(MAX_BODY_BYTES) } })],
    ];
    for (const [route, status, answer] of errors) expectDescribed(route, status, await answer);
  });
});

/**
 * Ajv over the document's schemas: OpenAPI's `nullable` is Ajv's own keyword; `example` is
 * an annotation Ajv does not know. The components are one schema that every `$ref` points
 * into, each made strict: a field of an answer that the document does not name fails.
 */
function schemaValidator(document: OpenApiDocument): Ajv {
  const ajv = new Ajv({ strict: true });
  ajv.addVocabulary(['example']);
  ajv.addFormat('uuid', UUID);
  ajv.addFormat('date-time', (text: string) => !Number.isNaN(Date.parse(text)));
  const $defs = Object.fromEntries(
    Object.entries(document.components.schemas).map(([name, schema]) => [name, closed(schema)]),
  );
  ajv.addSchema({ $id: 'components', $defs: refsToComponents($defs) });
  return ajv;
}

/** OpenAPI's `#/components/schemas/X` as a reference into the schema `components`. */
function refsToComponents<T>(schema: T): T {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', '"components#/$defs/')) as T;
}

/**
 * Nest leaves every object open (a client must tolerate new fields); here the answers must
 * have exactly the documented ones.
 */
function closed(schema: Schema): Schema {
  const open = schema.type === 'object' && schema.properties && schema.additionalProperties === undefined;
  return open ? { ...schema, additionalProperties: false } : schema;
}
