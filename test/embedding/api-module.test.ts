import { Module, type INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import bodyParser from 'body-parser';
import { DataSource } from 'typeorm';
import { PresenceService } from '#bus';
import { BUILDCAST_DATA_SOURCE } from '#persistence';
import { BuildcastApiModule } from '../../apps/api/src/index.js';
import { TEST_ADMIN_KEY } from '../support/credentials.js';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { deleteQueueKeys, TEST_REDIS_URL, uniqueQueuePrefix } from '../support/redis.js';
import { request } from '../support/stack.js';
import { TRANSPORTS } from '../support/transports.js';
import { databaseOf, hostDataSource, NotesController } from './host-notes.js';

/**
 * docs/embedding.md, run: a Nest app of its own (a controller, its default TypeORM DataSource
 * on another database, Nest's own body parser) mounts BuildcastApiModule under a prefix.
 * Buildcast's routes keep their credentials, validation and limits; the host's stay its own.
 */
describe.each(TRANSPORTS)('BuildcastApiModule mounted in a host Nest app, over %s', (transport) => {
  let buildcastDatabase: TestDatabase;
  let hostDatabase: TestDatabase;
  let host: INestApplication;
  let base: string;
  const queuePrefix = uniqueQueuePrefix();

  beforeAll(async () => {
    buildcastDatabase = await createTestDatabase('embedding_buildcast');
    hostDatabase = await createTestDatabase('embedding_host');

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
          maxBodyBytes: 4096,
        }),
      ],
      controllers: [NotesController],
    })
    class HostModule {}

    // Without Nest's app-wide parser (docs/embedding.md, Bodies): the module parses its own
    // routes' bodies with its limits, and the host parses its own.
    host = await NestFactory.create(HostModule, { logger: ['error', 'warn'], bodyParser: false });
    host.use('/notes', bodyParser.json());
    await host.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(host.getHttpServer().address() as { port: number }).port}`;
  });

  afterAll(async () => {
    await host?.close();
    await hostDatabase?.drop();
    await buildcastDatabase?.drop();
    await deleteQueueKeys(TEST_REDIS_URL, queuePrefix);
  });

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

    expect(await databaseOf(host.get<DataSource>(BUILDCAST_DATA_SOURCE))).toBe(buildcastDatabase.name);
  });

  it("leaves the host's own routes to it: no credential, no Buildcast validation, its own database", async () => {
    const added = await request(`${base}/notes`, { key: null, body: { text: 'mine', extra: true } });
    expect(added.status).toBe(201);
    expect((await request(`${base}/notes`, { key: null })).body).toEqual([{ id: 1, text: 'mine' }]);
    expect(await databaseOf(host.get(DataSource))).toBe(hostDatabase.name);
  });

  it('answers its health routes under the prefix and announces its presence', async () => {
    const health = await request(`${base}/buildcast/api/health`, { key: null });
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ status: 'ok', transport });
    // Nothing else runs on this database and queue prefix: the one API counted is the module.
    expect(await host.get(PresenceService).instances('api')).toBe(1);
  });
});
