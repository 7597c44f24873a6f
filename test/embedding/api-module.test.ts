import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import bodyParser from 'body-parser';
import { DataSource } from 'typeorm';
import { PresenceService } from '#bus';
import type { Snapshot } from '#contracts';
import { BUILDCAST_DATA_SOURCE } from '#persistence';
import { createParser } from '#transcripts';
import { BuildcastApiModule } from '../../apps/api/src/index.js';
import { FIXTURES } from '../support/builds.js';
import { TEST_ADMIN_KEY } from '../support/credentials.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { deleteQueueKeys, TEST_REDIS_URL, uniqueQueuePrefix } from '../support/redis.js';
import { request } from '../support/stack.js';
import { TRANSPORTS, type Transport } from '../support/transports.js';
import { databaseOf, hostDataSource, NotesController } from './host-notes.js';

const MAX_BODY_BYTES = 4096;

interface Host {
  app: INestApplication;
  /** The host's origin: its own routes at /notes, Buildcast's under /buildcast/api. */
  base: string;
  buildcastDatabase: TestDatabase;
  hostDatabase: TestDatabase;
  close(): Promise<void>;
}

/**
 * docs/embedding.md, run: a Nest app of its own (a controller, its default TypeORM DataSource
 * on another database) mounts BuildcastApiModule under a prefix. With `nestBodyParser` false
 * the app has no app-wide parser (docs/embedding.md, Bodies): the module parses its own
 * routes' bodies with its limits, and the host parses its own.
 */
async function startHost(transport: Transport, nestBodyParser: boolean): Promise<Host> {
  const queuePrefix = uniqueQueuePrefix();
  const buildcastDatabase = await createTestDatabase('embedding_buildcast');
  const hostDatabase = await createTestDatabase('embedding_host');
  let app: INestApplication | undefined;
  const close = async () => {
    await app?.close();
    await hostDatabase.drop();
    await buildcastDatabase.drop();
    await deleteQueueKeys(TEST_REDIS_URL, queuePrefix);
  };
  try {
    @Module({
      imports: [
        ...hostDataSource(hostDatabase.url),
        BuildcastApiModule.forRoot({
          databaseUrl: buildcastDatabase.url,
          transport,
          redisUrl: TEST_REDIS_URL,
          queuePrefix,
          identity: { adminKey: TEST_ADMIN_KEY },
          prefix: 'buildcast/api',
          maxBodyBytes: MAX_BODY_BYTES,
        }),
      ],
      controllers: [NotesController],
    })
    class HostModule {}
    app = await NestFactory.create(HostModule, { logger: ['error', 'warn'], bodyParser: nestBodyParser });
    if (!nestBodyParser) app.use('/notes', bodyParser.json());
    await app.listen(0, '127.0.0.1');
  } catch (error) {
    await close();
    throw error;
  }
  const { port } = app.getHttpServer().address() as { port: number };
  return { app, base: `http://127.0.0.1:${port}`, buildcastDatabase, hostDatabase, close };
}

const NDJSON = { 'content-type': 'application/x-ndjson' };

/**
 * An external runner's transcript, as the standalone API takes it (test/e2e/external-runners):
 * `POST …/events?format=` with an application/x-ndjson body, parsed by the format's parser.
 */
async function expectNdjsonIngest(api: string): Promise<void> {
  const project = await request<{ id: string }>(`${api}/projects`, { body: { name: 'mounted-runner' } });
  const builds = `${api}/projects/${project.body.id}/builds`;
  const startExternal = async () => {
    const started = await request<{ sessionId: string }>(builds, { body: { agent: 'external' } });
    expect(started.status).toBe(202);
    return started.body.sessionId;
  };
  const text = await readFile(path.join(FIXTURES, 'codex-exec-json_command-execution.jsonl'), 'utf8');
  const local = createParser('codex-json', {
    agentId: 'external',
    projectName: 'x',
    prompt: null,
    model: null,
  });
  const expected = [...text.split('\n').flatMap((line) => local.parseLine(line)), ...local.end()];
  expect(expected.filter((event) => event.type === 'tool.started')).not.toEqual([]);

  const sessionId = await startExternal();
  const answer = await request(`${builds}/${sessionId}/events?format=codex-json`, {
    rawBody: text,
    headers: NDJSON,
  });
  expect(answer).toEqual({ status: 200, body: { fromSeq: 1, toSeq: expected.length } });
  const snapshot = (await request<Snapshot>(`${builds}/${sessionId}`)).body;
  expect(snapshot.session.status).toBe('completed');
  expect(snapshot.toolCalls.map((call) => call.id)).toEqual(
    expected.filter((event) => event.type === 'tool.started').map((event) => event.data.toolCallId),
  );

  // The media type's parameters do not matter, as in the standalone API.
  const withCharset = await request(`${builds}/${await startExternal()}/events?format=codex-json`, {
    rawBody: text,
    headers: { 'content-type': 'application/x-ndjson; charset=utf-8' },
  });
  expect(withCharset).toEqual({ status: 200, body: { fromSeq: 1, toSeq: expected.length } });

  const running = await startExternal();
  const noFormat = await request<{ message: string[] }>(`${builds}/${running}/events`, {
    rawBody: text,
    headers: NDJSON,
  });
  expect(noFormat.status).toBe(400);
  expect(noFormat.body.message).toEqual([expect.stringContaining('format')]);
  const badFormat = await request<{ message: string[] }>(`${builds}/${running}/events?format=yaml`, {
    rawBody: text,
    headers: NDJSON,
  });
  expect(badFormat.status).toBe(400);
  expect(badFormat.body.message.join(' ')).toContain('format');
  // The module's own limit, whether or not the host parses JSON bodies itself.
  const tooLarge = await request<{ message: string }>(`${builds}/${running}/events?format=codex-json`, {
    rawBody: text.repeat(Math.ceil((MAX_BODY_BYTES + 1) / text.length)),
    headers: NDJSON,
  });
  expect(tooLarge).toMatchObject({
    status: 413,
    body: { message: `request body exceeds the limit of ${MAX_BODY_BYTES} bytes` },
  });
  expect((await request<Snapshot>(`${builds}/${running}`)).body.seq).toBe(0);
}

/** Buildcast's routes keep their credentials, validation and limits; the host's stay its own. */
describe.each(TRANSPORTS)('BuildcastApiModule mounted in a host Nest app, over %s', (transport) => {
  let host: Host;
  let base: string;

  beforeAll(async () => {
    host = await startHost(transport, false);
    base = host.base;
  });

  afterAll(() => host?.close());

  it('serves its routes under the prefix, with credentials and validation, on its own DataSource', async () => {
    const api = `${base}/buildcast/api`;
    const created = await request<{ id: string; name: string }>(`${api}/projects`, {
      body: { name: 'mounted' },
    });
    expect(created.status).toBe(201);
    expect((await request(`${api}/projects/${created.body.id}`)).body).toMatchObject({ name: 'mounted' });
    // Every feature module's routes moved under the prefix: builds, keys.
    expect(await request(`${api}/projects/${created.body.id}/builds`)).toMatchObject({ status: 200 });
    expect(await request(`${api}/keys`)).toMatchObject({ status: 200 });

    const anonymous = await request(`${api}/projects`, { key: null });
    expect(anonymous.status).toBe(401);
    const invalid = await request<{ message: string[] }>(`${api}/projects`, {
      body: { name: 'x', color: 'red' },
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.message.join(' ')).toContain('color');
    expect((await request(`${base}/api/projects`)).status).toBe(404);
    const tooLarge = await request<{ message: string }>(`${api}/projects`, {
      body: { name: 'x'.repeat(5000) },
    });
    expect(tooLarge).toMatchObject({
      status: 413,
      body: { message: 'request body exceeds the limit of 4096 bytes' },
    });
    const tooDeep = await request<{ message: string }>(`${api}/projects`, {
      rawBody: '['.repeat(100) + ']'.repeat(100),
    });
    expect(tooDeep.status).toBe(400);
    expect(tooDeep.body.message).toContain('MAX_JSON_DEPTH');

    expect(await databaseOf(host.app.get<DataSource>(BUILDCAST_DATA_SOURCE))).toBe(
      host.buildcastDatabase.name,
    );
  });

  it("takes an external runner's NDJSON transcript on POST …/events, with ?format=", async () => {
    await expectNdjsonIngest(`${base}/buildcast/api`);
  });

  it("leaves the host's own routes to it: no credential, no Buildcast validation, its own database", async () => {
    const added = await request(`${base}/notes`, { key: null, body: { text: 'mine', extra: true } });
    expect(added.status).toBe(201);
    expect((await request(`${base}/notes`, { key: null })).body).toEqual([{ id: 1, text: 'mine' }]);
    expect(await databaseOf(host.app.get(DataSource))).toBe(host.hostDatabase.name);
  });

  it('answers its health routes under the prefix and announces its presence', async () => {
    const health = await request(`${base}/buildcast/api/health`, { key: null });
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', transport });
    // Nothing else runs on this database and queue prefix: the one API counted is the module.
    expect(await host.app.get(PresenceService).instances('api')).toBe(1);
  });
});

/**
 * A host that keeps Nest's own body parser (JSON and urlencoded, app-wide): it parses
 * Buildcast's JSON bodies first; the module still parses the NDJSON ones it does not know.
 */
describe("BuildcastApiModule mounted in a host Nest app with Nest's body parser", () => {
  let host: Host;
  let api: string;

  beforeAll(async () => {
    host = await startHost(TRANSPORTS[0], true);
    api = `${host.base}/buildcast/api`;
  });

  afterAll(() => host?.close());

  it("takes JSON bodies through the host's parser and NDJSON transcripts through its own", async () => {
    expect(await request(`${api}/projects`, { body: { name: 'parsed-by-nest' } })).toMatchObject({
      status: 201,
    });
    await expectNdjsonIngest(api);
  });
});
