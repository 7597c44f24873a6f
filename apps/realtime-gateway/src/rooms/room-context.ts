import type { Logger } from '@nestjs/common';
import type { GatewayConfig } from '#config';
import type { ChannelSubscriber } from '#bus';
import type { BuildReadModel } from '#persistence';
import type { ClientConnection } from '../connections/client-connection.js';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';
import type { Room } from './room.js';

/** What every room needs from the gateway around it. */
export interface RoomContext {
  readonly config: GatewayConfig;
  readonly readModel: BuildReadModel;
  readonly subscriber: ChannelSubscriber;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
}

/** What a room tells the registry. */
export interface RoomHooks {
  /** A socket is backed up: watch it and call the room's `resume` when it drained. */
  paused(room: Room, connection: ClientConnection): void;
  /** The room removed a socket by itself: close it if that was the last one. */
  left(room: Room): void;
}

export const sessionRoomKey = (projectId: string, sessionId: string): string =>
  `project:${projectId}:session:${sessionId}`;
export const projectRoomKey = (projectId: string): string => `project:${projectId}`;

/** The project (and session) of a room key: ids are UUIDs, so the colons are unambiguous. */
export function roomTarget(key: string): { projectId: string; sessionId?: string } {
  const [, projectId, , sessionId] = key.split(':');
  return sessionId === undefined ? { projectId } : { projectId, sessionId };
}

/** Events read from Postgres per query when a room or a socket catches up. */
export const CATCH_UP_PAGE = 1000;
