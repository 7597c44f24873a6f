import { Module } from '@nestjs/common';
import { BuildLog, BuildsQueueModule } from '#bus';
import { LimitsModule } from '../limits/limits.module.js';
import { BuildsController } from './builds.controller.js';
import { BuildsService } from './builds.service.js';

@Module({
  imports: [BuildsQueueModule.register('producer'), LimitsModule],
  controllers: [BuildsController],
  providers: [BuildsService, BuildLog],
})
export class BuildsModule {}
