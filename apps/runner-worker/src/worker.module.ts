import { Module, type DynamicModule } from '@nestjs/common';
import { AppConfig, ConfigModule } from '#config';
import { BuildLog, BuildsQueueModule, BusModule } from '#bus';
import { InfrastructureHealthController, InfrastructureHealthModule } from '#health';
import { PersistenceModule } from '#persistence';
import { BuildRunner } from './builds/build-runner.js';
import { BuildsProcessor, LiveBuildsProcessor } from './builds/builds.processor.js';
import { RunningBuilds } from './builds/running-builds.js';
import { WorkerLeases } from './builds/worker-leases.js';
import { QueuedSweeper } from './builds/queued-sweeper.js';
import { PostgresBuildsConsumer } from './builds/postgres-builds-consumer.js';
import { AGENT_SOURCES_PROVIDER } from './agents/agent-sources.js';
import { WorkerShutdown } from './builds/worker-shutdown.js';
import { LiveAgents } from './agents/live/live-agents.js';
import { WorkDirectories } from './agents/live/work-directories.js';
import { MetricsController } from './observability/metrics.controller.js';
import { RunnerMetrics } from './observability/runner-metrics.js';
import { TracingShutdown } from '#tracing';

@Module({})
export class WorkerModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: WorkerModule,
      imports: [
        ConfigModule.forRoot(config),
        PersistenceModule.forRoot({ databaseUrl: config.databaseUrl, poolSize: config.databasePoolSize }),
        BusModule.forRoot(config.transport),
        BuildsQueueModule.register('consumer', config.transport),
        InfrastructureHealthModule,
      ],
      // On RUNNER_PORT (main.ts): for the orchestrator's health checks and Prometheus.
      controllers: [InfrastructureHealthController, MetricsController],
      providers: [
        RunnerMetrics,
        TracingShutdown,
        BuildLog,
        BuildRunner,
        RunningBuilds,
        WorkerLeases,
        WorkerShutdown,
        LiveAgents,
        AGENT_SOURCES_PROVIDER,
        WorkDirectories,
        // How builds reach this worker: BullMQ jobs (and the sweeper that re-adds jobs Redis
        // lost), or queued sessions claimed from Postgres.
        ...(config.transport === 'redis'
          ? [BuildsProcessor, LiveBuildsProcessor, QueuedSweeper]
          : [PostgresBuildsConsumer]),
      ],
    };
  }
}
