import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '#config';
import { CloseCode, type ServerMessageMap } from '#contracts';
import { GatewayMetrics } from '../metrics/gateway-metrics.js';
import type { ClientConnection } from './client-connection.js';

/**
 * The open sockets of this instance and their heartbeat: every interval a ws ping frame
 * (browsers answer it themselves) and an app-level `heartbeat` message (browsers cannot see
 * pings); a socket silent for two intervals is closed with 4408 and dropped.
 */
@Injectable()
export class Connections implements OnModuleInit, OnApplicationShutdown {
  private readonly open = new Set<ClientConnection>();
  private timer: NodeJS.Timeout | undefined;
  private readonly intervalMs: number;

  constructor(
    config: AppConfig,
    private readonly metrics: GatewayMetrics,
  ) {
    this.intervalMs = config.gateway.heartbeatMs;
    // Read at scrape time: the memory held for sockets that read slowly stays bounded.
    metrics.defineGauge(
      'buildcast_gateway_buffered_bytes',
      'Bytes queued for sending, over all sockets',
      () => {
        let total = 0;
        for (const connection of this.open) total += connection.socket.bufferedAmount;
        return total;
      },
    );
  }

  onModuleInit(): void {
    this.timer = setInterval(() => this.beat(), this.intervalMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  add(connection: ClientConnection): void {
    this.open.add(connection);
    connection.socket.on('pong', () => (connection.lastSeenAt = Date.now()));
    this.metrics.connections.set(this.open.size);
  }

  remove(connection: ClientConnection): void {
    this.open.delete(connection);
    this.metrics.connections.set(this.open.size);
  }

  all(): Iterable<ClientConnection> {
    return this.open;
  }

  get size(): number {
    return this.open.size;
  }

  /** Closes every socket with `code` and resolves when all are closed (or after `graceMs`). */
  async closeAll(code: number, reason: string, graceMs: number): Promise<void> {
    const closed = [...this.open].map(
      (connection) =>
        new Promise<void>((resolve) => {
          if (connection.socket.readyState === connection.socket.CLOSED) return resolve();
          connection.socket.once('close', () => resolve());
          connection.close(code, reason);
        }),
    );
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<void>((resolve) => (timer = setTimeout(resolve, graceMs)));
    await Promise.race([Promise.all(closed), grace]);
    clearTimeout(timer);
    for (const connection of this.open) connection.socket.terminate();
  }

  private beat(): void {
    const now = Date.now();
    const heartbeat: ServerMessageMap['heartbeat'] = {
      type: 'heartbeat',
      at: new Date(now).toISOString(),
      intervalMs: this.intervalMs,
    };
    const frame = Buffer.from(JSON.stringify(heartbeat));
    let sent = 0;
    for (const connection of this.open) {
      if (now - connection.lastSeenAt > 2 * this.intervalMs) {
        // The close frame is best effort: a dead peer never answers it, so terminate too.
        connection.close(CloseCode.heartbeatTimeout, 'heartbeat timeout: nothing heard for two intervals');
        setTimeout(() => connection.socket.terminate(), 1000).unref();
        continue;
      }
      if (!connection.isOpen) continue;
      connection.socket.ping();
      connection.sendFrame(frame);
      sent += 1;
    }
    this.metrics.framesSent.inc(sent);
    this.metrics.bytesSent.inc(sent * frame.length);
  }
}
