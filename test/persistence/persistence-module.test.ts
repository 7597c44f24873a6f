import 'reflect-metadata';
import { Test } from '@nestjs/testing';
import { DataSource } from 'typeorm';
import { createTestDatabase, type TestDatabase } from '../support/database.js';
import { BUILDCAST_DATA_SOURCE, BuildReadModel, EventStore, PersistenceModule } from '#persistence';

describe('PersistenceModule', () => {
  let database: TestDatabase;

  beforeAll(async () => {
    database = await createTestDatabase();
  });

  afterAll(async () => {
    await database.drop();
  });

  it('provides a migrated DataSource, the EventStore and the read model, and closes on shutdown', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [PersistenceModule.forRoot({ databaseUrl: database.url, poolSize: 2 })],
    }).compile();
    const app = await moduleRef.init();
    const dataSource = app.get<DataSource>(BUILDCAST_DATA_SOURCE);
    await expect(dataSource.showMigrations()).resolves.toBe(false);
    // Under its own name: TypeORM's default DataSource is left to a host app (docs/embedding.md).
    expect(() => app.get(DataSource)).toThrow();
    const project = await app.get(BuildReadModel).createProject('nest');
    const session = await app.get(BuildReadModel).createQueuedSession({
      projectId: project.id,
      agent: 'demo',
      agentId: 'demo',
      model: null,
      prompt: null,
    });
    await expect(
      app.get(EventStore).append(session!.id, [{ type: 'message', data: { role: 'assistant', text: 'hi' } }]),
    ).resolves.toMatchObject({ fromSeq: 1, toSeq: 1 });
    await app.close();
    expect(dataSource.isInitialized).toBe(false);
  });
});
