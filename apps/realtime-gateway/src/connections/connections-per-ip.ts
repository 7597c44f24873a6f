import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '#config';
import { limitKey, PresenceService, SlotStores, type ExpiringSlots } from '#bus';
import type { ClientConnection } from './client-connection.js';
import { clientAddress, trustedProxies } from './client-address.js';

interface HeldSlot {
  key: string;
  member: string;
}

/**
 * GATEWAY_CONNECTIONS_PER_IP over every gateway replica (on the Postgres transport, the one
 * gateway): with Redis, a sorted set per client address of `${instanceId}:${socketId}` members, each scored by an expiry that this
 * instance pushes ahead on every heartbeat and removed when its socket closes. A replica
 * that crashed stops refreshing, so its sockets stop counting within three heartbeats.
 */
@Injectable()
export class ConnectionsPerIp implements OnModuleInit, OnApplicationShutdown {
  private readonly slots: ExpiringSlots;
  private readonly held = new Map<ClientConnection, HeldSlot>();
  private readonly isTrusted: (address: string) => boolean;
  private readonly ttlMs: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    slots: SlotStores,
    private readonly presence: PresenceService,
    private readonly config: AppConfig,
  ) {
    this.slots = slots.open('WebSocket connection limits');
    this.isTrusted = trustedProxies(config.limits.trustedProxies);
    this.ttlMs = 3 * config.gateway.heartbeatMs;
  }

  /** The Redis key of one address's sockets (tests look at it). */
  static key(config: AppConfig, address: string): string {
    return limitKey(config, 'ws', address);
  }

  get limit(): number {
    return this.config.gateway.connectionsPerIp;
  }

  /** False when the address already has `limit` sockets; true otherwise (also without Redis). */
  async admit(connection: ClientConnection, request: IncomingMessage): Promise<boolean> {
    const address = clientAddress(
      request.socket.remoteAddress,
      request.headers['x-forwarded-for'],
      this.isTrusted,
    );
    const slot = {
      key: ConnectionsPerIp.key(this.config, address),
      member: `${this.presence.instanceId}:${randomUUID()}`,
    };
    const answer = await this.slots.take(slot.key, slot.member, this.ttlMs, this.limit);
    if (answer.taken !== true) return answer.taken === null;
    if (connection.socket.readyState === connection.socket.CLOSED) {
      void this.slots.release(slot.key, slot.member); // closed while Redis answered
    } else {
      this.held.set(connection, slot);
    }
    return true;
  }

  release(connection: ClientConnection): void {
    const slot = this.held.get(connection);
    if (!slot) return;
    this.held.delete(connection);
    void this.slots.release(slot.key, slot.member);
  }

  onModuleInit(): void {
    this.timer = setInterval(() => void this.refresh(), this.config.gateway.heartbeatMs);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  private async refresh(): Promise<void> {
    const byKey = new Map<string, string[]>();
    for (const { key, member } of this.held.values()) {
      const members = byKey.get(key) ?? [];
      members.push(member);
      byKey.set(key, members);
    }
    await Promise.all([...byKey].map(([key, members]) => this.slots.refresh(key, members, this.ttlMs)));
  }
}
