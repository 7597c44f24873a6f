import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { isOriginAllowed } from '#identity';
import type { GatewayRoutes } from '../embedding/gateway-options.js';
import { GatewayMetrics } from '../metrics/gateway-metrics.js';
import { RealtimeGateway } from '../realtime.gateway.js';
import { GATEWAY_ROUTES } from '../embedding/gateway-routes.js';

/** Frames above this are refused by ws itself (1009); up to it, the gateway answers 4413. */
const HARD_PAYLOAD_LIMIT = 1024 * 1024;

/**
 * The gateway's WebSocket server, on the app's own HTTP server: it takes the upgrades at its
 * path (`/ws`) and leaves every other upgrade to whoever else listens (a host app's own
 * sockets: docs/embedding.md), so no app-wide Nest WebSocket adapter is needed. A plain `ws`
 * server in `noServer` mode: the gateway parses frames itself (to answer with the contract's
 * close codes), so Nest's per-socket message router would only cost memory.
 *
 * The upgrade's Origin check: another site's page must not open a socket with the user's
 * cookie (WebSockets have no CORS), so it gets HTTP 403 and no socket.
 */
@Injectable()
export class GatewaySocketServer implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(GatewaySocketServer.name);
  private readonly server: WebSocketServer;
  private httpServer: Server | undefined;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @Inject(GATEWAY_ROUTES) private readonly routes: GatewayRoutes,
    private readonly gateway: RealtimeGateway,
    private readonly metrics: GatewayMetrics,
  ) {
    this.server = new WebSocketServer({
      noServer: true,
      maxPayload: HARD_PAYLOAD_LIMIT,
      perMessageDeflate: false,
      verifyClient: (
        { req }: { req: IncomingMessage },
        done: (result: boolean, code?: number, message?: string) => void,
      ) => this.checkOrigin(req, done),
    });
    this.server.on('connection', (socket: WebSocket, request: IncomingMessage) =>
      this.accept(socket, request),
    );
    this.server.on('error', (error) => this.logger.error(error));
  }

  onApplicationBootstrap(): void {
    const httpServer = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    if (!httpServer) {
      throw new Error(
        'The Buildcast gateway needs an HTTP application (NestFactory.create), not an application context',
      );
    }
    this.httpServer = httpServer;
    httpServer.on('upgrade', this.upgrade);
  }

  /** After the gateway's own shutdown step has closed every socket with 1012. */
  onApplicationShutdown(): void {
    this.httpServer?.off('upgrade', this.upgrade);
    this.server.close();
  }

  private readonly upgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (pathnameOf(request.url) !== this.routes.path) return; // someone else's upgrade
    socket.on('error', () => socket.destroy()); // a client that vanished mid-handshake
    this.server.handleUpgrade(request, socket, head, (client) =>
      this.server.emit('connection', client, request),
    );
  };

  private checkOrigin(
    request: IncomingMessage,
    done: (result: boolean, code?: number, message?: string) => void,
  ): void {
    if (isOriginAllowed(request.headers.origin, this.routes.allowedOrigins)) return done(true);
    this.metrics.auth.inc({ outcome: 'origin_refused' });
    done(false, 403, 'Origin not allowed');
  }

  /**
   * A socket's `error` is a client breaking the WebSocket protocol (invalid UTF-8, a frame
   * over `maxPayload`, a bad opcode); ws closes that socket itself (1007, 1009, 1002). It
   * must have a listener, or the event would throw, and it gets one line: a stack trace per
   * event is a log flood any client could cause.
   */
  private accept(socket: WebSocket, request: IncomingMessage): void {
    socket.on('error', (error) => this.logger.warn(`A client socket failed: ${error.message}`));
    socket.on('close', () => this.gateway.handleDisconnect(socket));
    this.gateway.handleConnection(socket, request);
  }
}

/** The path of an upgrade's URL (`/ws?token=…` → `/ws`); garbage is nobody's path. */
export function pathnameOf(url: string | undefined): string | null {
  try {
    return new URL(url ?? '/', 'http://gateway').pathname;
  } catch {
    return null;
  }
}
