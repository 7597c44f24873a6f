import type { Logger } from '@nestjs/common';
import type { GatewayConfig } from '#config';
import type { ChannelSubscriber } from '#bus';
import type { BuildReadModel } from '#persistence';
import type { GatewayMetrics } from '../metrics/gateway-metrics.js';

/** What every room needs from the gateway around it. */
export interface RoomContext {
  readonly config: GatewayConfig;
  readonly readModel: BuildReadModel;
  readonly subscriber: ChannelSubscriber;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
}

export const sessionRoomKey = (projectId: string, sessionId: string): string =>
  `project:${projectId}:session:${sessionId}`;
export const projectRoomKey = (projectId: string): string => `project:${projectId}`;

/** Events read from Postgres per query when a room or a socket catches up. */
export const CATCH_UP_PAGE = 1000;
