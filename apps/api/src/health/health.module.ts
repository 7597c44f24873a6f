import { Module } from '@nestjs/common';
import { InfrastructureHealthModule } from '#health';
import { HealthController } from './health.controller.js';

@Module({ imports: [InfrastructureHealthModule], controllers: [HealthController] })
export class HealthModule {}
