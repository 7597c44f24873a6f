import { Module, type DynamicModule } from '@nestjs/common';
import { AppConfig, ConfigModule } from '#config';
import { BusModule } from '#bus';
import { PersistenceModule } from '#persistence';
import { BuildsModule } from './builds/builds.module.js';
import { HealthModule } from './health/health.module.js';
import { IdentityApiModule } from './identity/identity-api.module.js';
import { ProjectsModule } from './projects/projects.module.js';

@Module({})
export class ApiModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: ApiModule,
      imports: [
        ConfigModule.forRoot(config),
        PersistenceModule.forRoot({ databaseUrl: config.databaseUrl, poolSize: config.databasePoolSize }),
        BusModule,
        IdentityApiModule,
        ProjectsModule,
        BuildsModule,
        HealthModule,
      ],
    };
  }
}
