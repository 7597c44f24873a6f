import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { InfrastructureHealth } from './infrastructure-health.js';

/** Terminus plus InfrastructureHealth, for an app's health controller. */
@Module({ imports: [TerminusModule], providers: [InfrastructureHealth], exports: [InfrastructureHealth] })
export class InfrastructureHealthModule {}
