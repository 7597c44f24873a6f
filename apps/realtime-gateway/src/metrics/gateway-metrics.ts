import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram } from 'prom-client';
import { AppMetrics } from '#metrics';

/** The gateway's Prometheus metrics. Served at GET /metrics on METRICS_PORT (gateway.module.ts). */
@Injectable()
export class GatewayMetrics extends AppMetrics {
  readonly connections = new Gauge({
    name: 'buildcast_gateway_connections',
    help: 'Open WebSocket connections',
    registers: [this.registry],
  });
  readonly rooms = new Gauge({
    name: 'buildcast_gateway_rooms',
    help: 'Rooms with at least one local socket',
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });
  readonly framesSent = new Counter({
    name: 'buildcast_gateway_frames_sent_total',
    help: 'WebSocket frames sent to clients (one per socket)',
    registers: [this.registry],
  });
  readonly bytesSent = new Counter({
    name: 'buildcast_gateway_bytes_sent_total',
    help: 'Bytes of WebSocket frames sent to clients',
    registers: [this.registry],
  });
  readonly eventsIn = new Counter({
    name: 'buildcast_gateway_events_in_total',
    help: 'Committed events taken into rooms, by where they came from',
    labelNames: ['source'] as const,
    registers: [this.registry],
  });
  readonly catchUpReads = new Counter({
    name: 'buildcast_gateway_catch_up_reads_total',
    help:
      "Catch-up steps of sockets behind their room: frames sent from the room's frame history (history), " +
      'or a page read from Postgres (database; a page shared by several sockets counts once)',
    labelNames: ['source'] as const,
    registers: [this.registry],
  });
  readonly batches = new Counter({
    name: 'buildcast_gateway_batches_total',
    help: 'Coalesced `events` batches flushed to rooms (each serialized once)',
    registers: [this.registry],
  });
  readonly batchedSeqs = new Counter({
    name: 'buildcast_gateway_batched_seqs_total',
    help: 'Seqs covered by flushed batches; divided by batches it is the coalescing ratio',
    registers: [this.registry],
  });
  readonly coalescingRatio = new Gauge({
    name: 'buildcast_gateway_coalescing_ratio',
    help: 'Seqs per batch since start',
    registers: [this.registry],
  });
  readonly slowSockets = new Counter({
    name: 'buildcast_gateway_slow_sockets_total',
    help: 'Times a socket stopped getting live frames because it read too slowly',
    registers: [this.registry],
  });
  readonly pausedSockets = new Gauge({
    name: 'buildcast_gateway_paused_sockets',
    help: 'Sockets currently waiting to drain before their catch-up',
    registers: [this.registry],
  });
  readonly auth = new Counter({
    name: 'buildcast_gateway_auth_total',
    help:
      'Socket credential outcomes: authenticated, renewed; closed 4401 (unauthorized, expired, revoked), ' +
      'refused 4403 or answered forbidden (forbidden); upgrades refused 403 (origin_refused)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly commitToSend = new Histogram({
    name: 'buildcast_gateway_commit_to_send_seconds',
    help: 'From an event commit (its `at`) to the live frame carrying it being written to sockets',
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  private batchCount = 0;
  private seqCount = 0;

  constructor() {
    super('buildcast_gateway_');
  }

  batchFlushed(seqs: number, sockets: number, bytes: number, committedAt: number[]): void {
    this.batchCount += 1;
    this.seqCount += seqs;
    this.batches.inc();
    this.batchedSeqs.inc(seqs);
    this.coalescingRatio.set(this.seqCount / this.batchCount);
    if (sockets > 0) {
      this.framesSent.inc(sockets);
      this.bytesSent.inc(bytes * sockets);
    }
    const now = Date.now();
    for (const at of committedAt) this.commitToSend.observe(Math.max(0, now - at) / 1000);
  }

  frameSent(bytes: number): void {
    if (bytes === 0) return;
    this.framesSent.inc();
    this.bytesSent.inc(bytes);
  }
}
