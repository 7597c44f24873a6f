import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BuildReadModel } from './build-read-model.js';
import { BUILDCAST_DATA_SOURCE_NAME } from './buildcast-data-source.js';
import { EventStore } from './event-store.js';
import { prepareDatabase } from './migrate.js';
import { SessionLeases } from './session-leases.js';

export interface PersistenceOptions {
  databaseUrl: string;
  poolSize?: number;
}

/**
 * Postgres for the whole app. The DataSource is registered through TypeOrmModule under the
 * name `buildcast` (BUILDCAST_DATA_SOURCE: a host app's default DataSource stays its own;
 * closed on shutdown), but created by prepareDatabase so that it is migrated before anything
 * uses it.
 */
@Module({})
export class PersistenceModule {
  static forRoot(options: PersistenceOptions): DynamicModule {
    return {
      module: PersistenceModule,
      global: true,
      imports: [
        TypeOrmModule.forRootAsync({
          name: BUILDCAST_DATA_SOURCE_NAME,
          useFactory: () => ({}),
          dataSourceFactory: () => prepareDatabase(options.databaseUrl, { poolSize: options.poolSize }),
        }),
      ],
      providers: [EventStore, BuildReadModel, SessionLeases],
      exports: [EventStore, BuildReadModel, SessionLeases],
    };
  }
}
