import { Injectable } from '@nestjs/common';
import { Counter, Histogram } from 'prom-client';
import type { AgentKind, FinishedStatus } from '#contracts';
import { AppMetrics } from '#metrics';
import { RunningBuilds } from '../builds/running-builds.js';

/**
 * How a build this runner took ended: its final status, or `ended_elsewhere` when the session
 * was ended by someone else (cancelled while queued, interrupted by a sweeper after a lost
 * lease, or its end could not be written and a sweeper will).
 */
export type BuildOutcome = FinishedStatus | 'ended_elsewhere';

/** The runner-worker's Prometheus metrics, at GET /metrics on RUNNER_PORT. */
@Injectable()
export class RunnerMetrics extends AppMetrics {
  readonly builds = new Counter({
    name: 'buildcast_runner_builds_total',
    help: 'Builds this runner ran to their end, by agent and outcome',
    labelNames: ['agent', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly eventsAppended = new Counter({
    name: 'buildcast_runner_events_appended_total',
    help: 'Events this runner appended (committed) to build logs',
    registers: [this.registry],
  });
  readonly appendSeconds = new Histogram({
    name: 'buildcast_runner_append_seconds',
    help: 'One append: its transaction and the publish after the commit',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly appendBatchSize = new Histogram({
    name: 'buildcast_runner_append_batch_size',
    help: 'Events per append',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000],
    registers: [this.registry],
  });
  readonly queueWait = new Histogram({
    name: 'buildcast_runner_queue_wait_seconds',
    help: 'From a build being requested to a runner starting it',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900],
    registers: [this.registry],
  });

  constructor(running: RunningBuilds) {
    super('buildcast_runner_');
    this.defineGauge(
      'buildcast_runner_builds_running',
      'Builds this runner is running now',
      () => running.size,
    );
  }

  /** The one hook of the append path: a committed append of `batchSize` events. */
  observeAppend(batchSize: number, seconds: number): void {
    this.eventsAppended.inc(batchSize);
    this.appendBatchSize.observe(batchSize);
    this.appendSeconds.observe(seconds);
  }

  buildStarted(requestedAt: string): void {
    this.queueWait.observe(Math.max(0, Date.now() - Date.parse(requestedAt)) / 1000);
  }

  buildEnded(agent: AgentKind, outcome: BuildOutcome): void {
    this.builds.inc({ agent, outcome });
  }
}
