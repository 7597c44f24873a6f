// The OpenAPI document served at /api/docs-json, checked against the routes as they really
// answer: every operation documents a success with its schema and the errors it can give,
// and the bodies of real answers (successes and errors) from a running stack match the
// schema documented for their status, with no field missing and none extra.
import { randomUUID } from 'node:crypto';
import { Ajv, type ValidateFunction } from 'ajv';
import type { Snapshot } from '#contracts';
import { eventually, pollUntilFinished, startDemoBuild, withBuildsHeld } from '../support/builds.js';
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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_BODY_BYTES = 4096;

describe('the OpenAPI document of the REST API', () => {
  let stack: TestStack;
  let document: OpenApiDocument;
  let ajv: Ajv;
  const operations: { method: string; path: string; operation: Operation }[] = [];

  beforeAll(async () => {
    stack = await startStack({ workers: 1, env: { MAX_BODY_BYTES: String(MAX_BODY_BYTES) } });
    const served = await request<OpenApiDocument>(`${stack.apiUrl}/docs-json`);
    expect(served.status).toBe(200);
    document = served.body;
    for (const [path, methods] of Object.entries(document.paths))
      for (const [method, operation] of Object.entries(methods)) operations.push({ method, path, operation });
    ajv = schemaValidator(document);
  });
  afterAll(() => stack?.close());

  /** The schema of `status` for the route, compiled; fails when that status is not documented. */
  const validatorFor = (method: string, path: string, status: number): ValidateFunction | null => {
    const operation = document.paths[path]?.[method];
    expect({ method, path, documented: operation !== undefined }).toEqual({ method, path, documented: true });
    const response = operation.responses[String(status)];
    expect({ method, path, status, documented: response !== undefined }).toEqual({
      method,
      path,
      status,
      documented: true,
    });
    const schema = response.content?.['application/json']?.schema;
    return schema ? ajv.compile(refsToComponents(schema)) : null;
  };

  /**
   * The real answer `answer` of `method path` (as the document writes the path) has a
   * documented status, and its body matches that status' schema (or it has none, as documented).
   */
  const expectDescribed = (method: string, path: string, answer: { status: number; body: unknown }): void => {
    const validate = validatorFor(method, path, answer.status);
    if (!validate) {
      expect({ method, path, status: answer.status, body: answer.body }).toEqual({
        method,
        path,
        status: answer.status,
        body: undefined,
      });
      return;
    }
    const valid = validate(answer.body);
    expect({ method, path, status: answer.status, errors: valid ? null : validate.errors }).toEqual({
      method,
      path,
      status: answer.status,
      errors: null,
    });
  };

  it('documents a success with its schema, or as no content, for every operation', () => {
    expect(document.openapi).toMatch(/^3\.0\./);
    expect(operations.length).toBeGreaterThanOrEqual(18);
    for (const { method, path, operation } of operations) {
      const successes = Object.entries(operation.responses).filter(([status]) => /^2\d\d$/.test(status));
      const undescribed = successes
        .filter(([status, response]) => status !== '204' && !response.content?.['application/json']?.schema)
        .map(([status]) => status);
      expect({ method, path, successes: successes.length > 0, undescribed }).toEqual({
        method,
        path,
        successes: true,
        undescribed: [],
      });
    }
  });

  it('lists the errors each operation can answer, by what the route takes and who guards it', () => {
    for (const { method, path, operation } of operations) {
      const expected = new Set<string>(['503']);
      const isHealth = path.startsWith('/api/health');
      if (!isHealth) expected.add('429'); // every route but health counts against the rate limits
      if (operation.security?.length) ['401', '403'].forEach((status) => expected.add(status));
      if (operation.parameters?.length || operation.requestBody) expected.add('400');
      if (operation.requestBody) ['413', '415'].forEach((status) => expected.add(status));
      if (operation.parameters?.some((parameter) => parameter.in === 'path')) expected.add('404');
      const listed = Object.keys(operation.responses).filter((status) => /^[45]\d\d$/.test(status));
      expect({ method, path, missing: [...expected].filter((status) => !listed.includes(status)) }).toEqual({
        method,
        path,
        missing: [],
      });
      // Every error answer carries the error body (health's 503 is its report).
      for (const status of listed) {
        const schema = operation.responses[status].content?.['application/json']?.schema;
        expect({ method, path, status, schema }).toEqual({
          method,
          path,
          status,
          schema: {
            $ref:
              isHealth && status === '503'
                ? '#/components/schemas/HealthReport'
                : '#/components/schemas/Error',
          },
        });
      }
    }
  });

  it('describes the real answers of projects, builds, snapshots, events and tool calls', async () => {
    const projects = '/api/projects';
    const project = '/api/projects/{projectId}';
    const builds = '/api/projects/{projectId}/builds';
    const build = '/api/projects/{projectId}/builds/{sessionId}';
    const url = (path: string) => `${stack.apiUrl}${path.slice('/api'.length)}`;

    const created = await request(url(projects), { body: { name: 'described' } });
    expect(created.status).toBe(201);
    expectDescribed('post', projects, created);
    expectDescribed('get', projects, await request(url(projects)));
    expectDescribed('get', project, await request(url(`${projects}/${created.body.id}`)));

    // A demo build played to its end: every event type, a finished snapshot with tool calls.
    const { projectId, sessionId } = await startDemoBuild(stack.apiUrl, 'demo-described', 0);
    const buildUrl = url(`${projects}/${projectId}/builds/${sessionId}`);
    await pollUntilFinished(stack.apiUrl, projectId, sessionId);
    const events = await request(`${buildUrl}/events?after=0&limit=1000`);
    expect(
      new Set(events.body.events.map((event: { type: string }) => event.type)).size,
    ).toBeGreaterThanOrEqual(5);
    expectDescribed('get', `${build}/events`, events);
    expectDescribed('get', builds, await request(url(`${projects}/${projectId}/builds`)));

    const snapshot = await request<Snapshot>(buildUrl);
    expect(snapshot.body.toolCalls.length).toBeGreaterThan(0);
    expectDescribed('get', build, snapshot);
    const notModified = await request(buildUrl, {
      headers: { 'if-none-match': snapshot.headers.get('etag')! },
    });
    expect(notModified.status).toBe(304);
    expectDescribed('get', build, notModified);
    const toolCallId = encodeURIComponent(snapshot.body.toolCalls[0].id);
    expectDescribed(
      'get',
      `${build}/tool-calls/{toolCallId}`,
      await request(`${buildUrl}/tool-calls/${toolCallId}`),
    );

    // Started while no worker takes it: a queued build, cancelled here; then a conflict.
    const startUrl = url(`${projects}/${projectId}/builds`);
    await withBuildsHeld(stack.workers, async () => {
      const started = await request(startUrl, { body: { agent: 'demo' } });
      expectDescribed('post', builds, started);
      const cancelUrl = `${startUrl}/${started.body.sessionId}/cancel`;
      const cancelled = await request(cancelUrl, { method: 'POST' });
      expect(cancelled.body.status).toBe('cancelled');
      expectDescribed('post', `${build}/cancel`, cancelled);
      const again = await request(cancelUrl, { method: 'POST' });
      expect(again.status).toBe(409);
      expectDescribed('post', `${build}/cancel`, again);
    });
  });

  it('describes the real answers of keys, tokens, sign-in and health', async () => {
    const project = await request(`${stack.apiUrl}/projects`, { body: { name: 'keys-described' } });
    const key = await request(`${stack.apiUrl}/keys`, {
      body: { name: 'reader', scopes: ['builds:read'], projectId: project.body.id },
    });
    expect(key.status).toBe(201);
    expectDescribed('post', '/api/keys', key);
    expectDescribed('get', '/api/keys', await request(`${stack.apiUrl}/keys`));

    const token = await request(`${stack.apiUrl}/projects/${project.body.id}/tokens`, {
      body: {},
      key: key.body.key,
    });
    expectDescribed('post', '/api/projects/{projectId}/tokens', token);
    expect(token.status).toBe(201);
    expectDescribed('get', '/api/session', await request(`${stack.apiUrl}/session`, { key: key.body.key }));
    const signedIn = await request(`${stack.apiUrl}/session`, { body: { key: key.body.key }, key: null });
    expect(signedIn.status).toBe(204);
    expectDescribed('post', '/api/session', signedIn);
    expectDescribed(
      'delete',
      '/api/session',
      await request(`${stack.apiUrl}/session`, { method: 'DELETE', key: null }),
    );

    const revoked = await request(`${stack.apiUrl}/keys/${key.body.id}`, { method: 'DELETE' });
    expect(revoked.status).toBe(204);
    expectDescribed('delete', '/api/keys/{id}', revoked);

    // Health is checked until everything is up (the worker announces itself on its own time).
    const health = await eventually(async () => {
      const answer = await request(`${stack.apiUrl}/health`, { key: null });
      return answer.status === 200 ? answer : undefined;
    }, 'the stack to be healthy');
    expectDescribed('get', '/api/health', health);
    expectDescribed(
      'get',
      '/api/health/{service}',
      await request(`${stack.apiUrl}/health/database`, { key: null }),
    );
  });

  it('describes the real error answers: 400, 401, 403, 404, 413', async () => {
    const reader = await request(`${stack.apiUrl}/keys`, {
      body: { name: 'reader', scopes: ['builds:read'] },
    });
    const answers: [string, string, Promise<{ status: number; body: unknown }>, number][] = [
      ['get', '/api/projects/{projectId}', request(`${stack.apiUrl}/projects/not-a-uuid`), 400],
      ['post', '/api/projects', request(`${stack.apiUrl}/projects`, { body: { name: '' } }), 400],
      ['get', '/api/projects', request(`${stack.apiUrl}/projects`, { key: null }), 401],
      [
        'post',
        '/api/projects',
        request(`${stack.apiUrl}/projects`, { body: { name: 'x' }, key: reader.body.key }),
        403,
      ],
      ['get', '/api/projects/{projectId}', request(`${stack.apiUrl}/projects/${randomUUID()}`), 404],
      ['get', '/api/health/{service}', request(`${stack.apiUrl}/health/nothing`, { key: null }), 404],
      [
        'post',
        '/api/projects',
        request(`${stack.apiUrl}/projects`, { body: { name: 'x'.repeat(MAX_BODY_BYTES) } }),
        413,
      ],
      [
        'post',
        '/api/session',
        request(`${stack.apiUrl}/session`, { body: { key: `${TEST_ADMIN_KEY}x` }, key: null }),
        401,
      ],
    ];
    for (const [method, path, answer, status] of answers) {
      const { status: got, body } = await answer;
      expect({ method, path, status: got }).toEqual({ method, path, status });
      expectDescribed(method, path, { status: got, body });
    }
  });
});

/**
 * Ajv over the document's schemas: OpenAPI's `nullable` is Ajv's own keyword; `example` is
 * an annotation Ajv does not know. The components are one schema that every `$ref` points
 * into, each made strict: a field of the answer that the document does not name fails.
 */
function schemaValidator(document: OpenApiDocument): Ajv {
  const ajv = new Ajv({ strict: true });
  ajv.addVocabulary(['example']);
  ajv.addFormat('uuid', UUID);
  ajv.addFormat('date-time', (text: string) => !Number.isNaN(Date.parse(text)));
  const $defs = Object.fromEntries(
    Object.entries(document.components.schemas).map(([name, schema]) => [name, strictObject(schema)]),
  );
  ajv.addSchema({ $id: 'components', $defs: refsToComponents($defs) });
  return ajv;
}

/** OpenAPI's `#/components/schemas/X` as a reference into the schema `components`. */
function refsToComponents<T>(schema: T): T {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', '"components#/$defs/')) as T;
}

/** Nest's schemas leave objects open; the answers must have exactly the documented fields. */
function strictObject(schema: Schema): Schema {
  const isClosable =
    schema.type === 'object' && schema.properties && schema.additionalProperties === undefined;
  return isClosable ? { ...schema, additionalProperties: false } : schema;
}
