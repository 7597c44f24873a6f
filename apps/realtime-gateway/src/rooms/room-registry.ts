import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '#config';
import { ChannelSubscriber } from '#bus';
import { BuildReadModel } from '#persistence';
import type { ClientConnection } from '../connections/client-connection.js';
import { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { ProjectRoom } from './project-room.js';
import { projectRoomKey, sessionRoomKey, type RoomContext, type RoomHooks } from './room-context.js';
import type { Room } from './room.js';
import { SessionRoom, type JoinOutcome } from './session-room.js';

/** How often backed-up sockets are checked for having drained. */
const DRAIN_CHECK_MS = 100;

/**
 * Every room of this gateway instance. A room exists while it has a local socket: created
 * (and its Redis channel SUBSCRIBEd) on the first join, closed (UNSUBSCRIBEd) on the last
 * leave. Also runs the two safety nets: the audit against Postgres and the Redis reconnect.
 */
@Injectable()
export class RoomRegistry implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Rooms');
  private readonly rooms = new Map<string, Room>();
  /** Backed-up sockets waiting to drain, with the rooms that paused them. */
  private readonly paused = new Map<ClientConnection, Set<Room>>();
  private readonly context: RoomContext;
  private drainTimer: NodeJS.Timeout | undefined;
  private auditTimer: NodeJS.Timeout | undefined;
  private stopReconnectListener: (() => void) | undefined;

  constructor(
    config: AppConfig,
    readModel: BuildReadModel,
    private readonly subscriber: ChannelSubscriber,
    private readonly metrics: GatewayMetrics,
  ) {
    this.context = { config: config.gateway, readModel, subscriber, metrics, logger: this.logger };
  }

  onModuleInit(): void {
    this.stopReconnectListener = this.subscriber.onReconnect(() => this.catchUpEverything());
    this.auditTimer = setInterval(() => void this.audit(), this.context.config.auditMs);
    this.auditTimer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.auditTimer);
    clearInterval(this.drainTimer);
    this.stopReconnectListener?.();
    await Promise.all([...this.rooms.values()].map((room) => room.close()));
    this.rooms.clear();
  }

  async joinSession(
    connection: ClientConnection,
    projectId: string,
    sessionId: string,
    since: number | undefined,
  ): Promise<JoinOutcome> {
    const key = sessionRoomKey(projectId, sessionId);
    this.leave(connection, key); // subscribing again restarts from the new `since`
    const room = this.roomFor(key, () => new SessionRoom(projectId, sessionId, this.context, this.hooks));
    try {
      const outcome = await room.join(connection, since);
      if (outcome !== 'joined') this.closeIfEmpty(room);
      return outcome;
    } catch (error) {
      this.closeIfEmpty(room);
      throw error;
    }
  }

  async joinProject(
    connection: ClientConnection,
    projectId: string,
  ): Promise<'joined' | 'not-found' | 'gone'> {
    const key = projectRoomKey(projectId);
    this.leave(connection, key);
    const room = this.roomFor(key, () => new ProjectRoom(projectId, this.context, this.hooks));
    try {
      const outcome = await room.join(connection);
      if (outcome !== 'joined') this.closeIfEmpty(room);
      return outcome;
    } catch (error) {
      this.closeIfEmpty(room);
      throw error;
    }
  }

  leave(connection: ClientConnection, key: string): void {
    const room = this.rooms.get(key);
    if (!room) return;
    room.leave(connection);
    this.paused.get(connection)?.delete(room);
    this.closeIfEmpty(room);
  }

  leaveAll(connection: ClientConnection): void {
    for (const key of [...connection.rooms]) this.leave(connection, key);
    if (this.paused.delete(connection)) this.metrics.pausedSockets.set(this.paused.size);
  }

  /** Sends every pending batch now (shutdown). */
  flushAll(): void {
    for (const room of this.rooms.values()) room.flush();
  }

  get roomCount(): number {
    return this.rooms.size;
  }

  private roomFor<T extends Room>(key: string, create: () => T): T {
    let room = this.rooms.get(key) as T | undefined;
    if (!room) {
      room = create();
      this.rooms.set(key, room);
      this.metrics.rooms.inc({ kind: room.kind });
    }
    return room;
  }

  private closeIfEmpty(room: Room): void {
    if (room.size > 0 || this.rooms.get(room.key) !== room) return;
    this.rooms.delete(room.key);
    this.metrics.rooms.dec({ kind: room.kind });
    void room.close().catch((error: Error) => this.logger.warn(`Closing ${room.key}: ${error.message}`));
  }

  private readonly hooks: RoomHooks = {
    paused: (room: Room, connection: ClientConnection) => this.pause(room, connection),
    left: (room: Room) => this.closeIfEmpty(room),
  };

  private pause(room: Room, connection: ClientConnection): void {
    let rooms = this.paused.get(connection);
    if (!rooms) this.paused.set(connection, (rooms = new Set()));
    rooms.add(room);
    this.metrics.pausedSockets.set(this.paused.size);
    this.drainTimer ??= setInterval(() => this.resumeDrained(), DRAIN_CHECK_MS);
  }

  private resumeDrained(): void {
    for (const [connection, rooms] of this.paused) {
      if (!connection.isOpen) {
        this.paused.delete(connection);
        continue;
      }
      if (!connection.hasDrained) continue;
      this.paused.delete(connection);
      for (const room of rooms) room.resume(connection);
    }
    this.metrics.pausedSockets.set(this.paused.size);
    if (this.paused.size === 0) {
      clearInterval(this.drainTimer);
      this.drainTimer = undefined;
    }
  }

  /** Redis was away: whatever it published meanwhile is lost, so every room reads Postgres. */
  private catchUpEverything(): void {
    this.logger.log(`Redis is back: catching ${this.rooms.size} rooms up from Postgres`);
    for (const room of this.rooms.values()) room.recover();
  }

  /**
   * One query for every unfinished session room: a room behind Postgres (its last publish
   * was lost, say `session.finished`) reads the rest. Nothing stays stuck at 99 %.
   */
  private async audit(): Promise<void> {
    const open = [...this.rooms.values()].flatMap((room) => {
      const session = room.unfinishedSession;
      return session ? [{ room, ...session }] : [];
    });
    if (open.length === 0) return;
    try {
      const latest = await this.context.readModel.latestSeqs(open.map(({ sessionId }) => sessionId));
      for (const { room, sessionId, position } of open) {
        if ((latest.get(sessionId) ?? 0) > position) room.recover();
      }
    } catch (error) {
      this.logger.warn(`Audit against Postgres failed: ${(error as Error).message}`);
    }
  }
}
