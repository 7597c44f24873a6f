import { Module, type DynamicModule } from '@nestjs/common';
import type { Transport } from '#config';
import { BuildLog, BuildsQueueModule } from '#bus';
import { LimitsModule } from '../limits/limits.module.js';
import { IngestController } from '../ingest/ingest.controller.js';
import { IngestService } from '../ingest/ingest.service.js';
import { BuildsController } from './builds.controller.js';
import { BuildsService } from './builds.service.js';
import { SnapshotResponses } from './snapshots/snapshot-responses.js';

@Module({})
export class BuildsModule {
  static forRoot(transport: Transport): DynamicModule {
    return {
      module: BuildsModule,
      imports: [BuildsQueueModule.register('producer', transport), LimitsModule],
      controllers: [BuildsController, IngestController],
      providers: [BuildsService, IngestService, SnapshotResponses, BuildLog],
    };
  }
}
