import { Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import {
  WebSocketGateway,
  WebSocketServer,
  type OnGatewayConnection,
  type OnGatewayDisconnect,
} from '@nestjs/websockets';
import type { IncomingMessage } from 'node:http';
import type { RawData, WebSocket, WebSocketServer as WsServer } from 'ws';
import { AppConfig } from '#config';
import { CloseCode, type ClientMessage } from '#contracts';
import { ClientConnection } from './connections/client-connection.js';
import { parseClientMessage, validateRoomMessage } from './connections/client-messages.js';
import { Connections } from './connections/connections.service.js';
import { ConnectionsPerIp } from './connections/connections-per-ip.js';
import { GatewayMetrics } from './metrics/gateway-metrics.js';
import { projectRoomKey, sessionRoomKey } from './rooms/room-context.js';
import { RoomRegistry } from './rooms/room-registry.js';

/** Frames above this are refused by ws itself (1009); up to it, the gateway answers 4413. */
const HARD_PAYLOAD_LIMIT = 1024 * 1024;
/** How long shutdown waits for clients to acknowledge the 1012 close. */
const SHUTDOWN_GRACE_MS = 2000;

/**
 * `/ws`: accepts sockets, subscribes them by query (`?projectId=&sessionId=&since=`) and by
 * messages, and hands rooms to the RoomRegistry. Client messages are parsed here, not by
 * Nest's message router (see LeanWsAdapter), so every refusal gets the contract's code.
 */
@WebSocketGateway({ path: '/ws', maxPayload: HARD_PAYLOAD_LIMIT, perMessageDeflate: false })
export class RealtimeGateway implements OnGatewayConnection, OnGatewayDisconnect, BeforeApplicationShutdown {
  private readonly logger = new Logger(RealtimeGateway.name);
  private readonly bySocket = new WeakMap<WebSocket, ClientConnection>();
  private shuttingDown = false;

  @WebSocketServer()
  private readonly server!: WsServer;

  constructor(
    private readonly config: AppConfig,
    private readonly rooms: RoomRegistry,
    private readonly connections: Connections,
    private readonly perIp: ConnectionsPerIp,
    private readonly metrics: GatewayMetrics,
  ) {}

  handleConnection(socket: WebSocket, request: IncomingMessage): void {
    const connection = new ClientConnection(socket, this.config.gateway.maxBufferedBytes);
    if (this.shuttingDown) {
      connection.close(CloseCode.serviceRestart, 'service restart: reconnect');
      return;
    }
    this.bySocket.set(socket, connection);
    this.connections.add(connection);
    // Counted across replicas in Redis: the answer comes after the socket opened, so a socket
    // over the limit is closed with 4429 (it may have seen its first frames by then).
    void this.perIp.admit(connection, request).then((admitted) => {
      if (!admitted) {
        connection.close(
          CloseCode.rateLimited,
          `more than ${this.perIp.limit} connections from this address (GATEWAY_CONNECTIONS_PER_IP)`,
        );
      }
    });
    socket.on('message', (data: RawData, isBinary: boolean) =>
      this.guard(connection, 'a message', () => this.onMessage(connection, data, isBinary)),
    );
    this.guard(connection, 'the connect URL', () => {
      const query = subscriptionFromQuery(request.url);
      // A bad connect URL is a malformed request: there is nothing else on this socket yet.
      if (query?.kind === 'invalid') connection.close(CloseCode.badRequest, query.message);
      else if (query) this.handle(connection, query);
    });
  }

  handleDisconnect(socket: WebSocket): void {
    const connection = this.bySocket.get(socket);
    if (!connection) return;
    try {
      this.connections.remove(connection);
      this.perIp.release(connection);
      this.rooms.leaveAll(connection);
    } catch (error) {
      this.logger.error(`Cleaning up a closed socket failed: ${describe(error)}`);
    }
  }

  /** SIGTERM: no new sockets, pending batches out, then 1012 so clients reconnect elsewhere. */
  async beforeApplicationShutdown(): Promise<void> {
    this.shuttingDown = true;
    this.rooms.flushAll();
    this.logger.log(`Shutting down: closing ${this.connections.size} sockets with 1012`);
    await this.connections.closeAll(
      CloseCode.serviceRestart,
      'service restart: reconnect',
      SHUTDOWN_GRACE_MS,
    );
    this.server?.close();
  }

  /**
   * Runs one piece of client input handling. Whatever it throws ends this socket with 4400
   * and is logged; it never reaches the process (an uncaught throw in a socket listener
   * would end the gateway and every other client's connection with it).
   */
  private guard(connection: ClientConnection, what: string, handle: () => void): void {
    try {
      handle();
    } catch (error) {
      this.logger.warn(`Handling ${what} failed; closing the socket with 4400: ${describe(error)}`);
      try {
        connection.close(CloseCode.badRequest, 'the gateway could not handle this request');
      } catch {
        connection.socket.terminate(); // close() on a broken socket can throw: drop it hard
      }
    }
  }

  private onMessage(connection: ClientConnection, data: RawData, isBinary: boolean): void {
    if (!connection.countMessage(this.config.gateway.rateLimitPer10s)) {
      connection.close(
        CloseCode.rateLimited,
        `more than ${this.config.gateway.rateLimitPer10s} messages in 10 s`,
      );
      return;
    }
    this.handle(connection, parseClientMessage(data, isBinary));
  }

  private handle(connection: ClientConnection, parsed: ReturnType<typeof parseClientMessage>): void {
    switch (parsed.kind) {
      case 'close':
        connection.close(parsed.code, parsed.reason);
        return;
      case 'invalid':
        this.reply(connection, {
          type: 'error',
          code: 'bad_request',
          message: parsed.message,
          projectId: parsed.projectId,
          sessionId: parsed.sessionId,
        });
        return;
      case 'message':
        void this.dispatch(connection, parsed.message).catch((error: unknown) => {
          this.logger.warn(`Handling a ${parsed.message.type} failed: ${describe(error)}`);
          this.guard(connection, 'a failed request', () =>
            this.reply(connection, {
              type: 'error',
              code: 'unavailable',
              message: 'The gateway could not serve this request right now; retry shortly',
              ...('projectId' in parsed.message
                ? { projectId: parsed.message.projectId, sessionId: parsed.message.sessionId }
                : {}),
            }),
          );
        });
    }
  }

  private async dispatch(connection: ClientConnection, message: ClientMessage): Promise<void> {
    switch (message.type) {
      case 'ping':
        this.reply(connection, { type: 'pong' });
        return;
      case 'unsubscribe':
        this.rooms.leave(
          connection,
          message.sessionId
            ? sessionRoomKey(message.projectId, message.sessionId)
            : projectRoomKey(message.projectId),
        );
        this.reply(connection, {
          type: 'unsubscribed',
          projectId: message.projectId,
          sessionId: message.sessionId,
        });
        return;
      case 'subscribe': {
        const { projectId, sessionId, since } = message;
        const outcome = sessionId
          ? await this.rooms.joinSession(connection, projectId, sessionId, since)
          : await this.rooms.joinProject(connection, projectId);
        if (outcome === 'not-found') {
          this.reply(connection, {
            type: 'error',
            code: 'not_found',
            message: sessionId
              ? `No session ${sessionId} in project ${projectId}`
              : `No project ${projectId}`,
            projectId,
            sessionId,
          });
        }
      }
    }
  }

  private reply(connection: ClientConnection, message: Parameters<ClientConnection['send']>[0]): void {
    this.metrics.frameSent(connection.send(message));
  }
}

/** `/ws?projectId=P&sessionId=S&since=N` (the seeds' way) as a subscribe, or null without projectId. */
function subscriptionFromQuery(url: string | undefined): ReturnType<typeof parseClientMessage> | null {
  const params = new URL(url ?? '/', 'http://gateway').searchParams;
  if (!params.has('projectId')) return null;
  const value: Record<string, unknown> = { type: 'subscribe', projectId: params.get('projectId') };
  if (params.get('sessionId')) value.sessionId = params.get('sessionId');
  if (params.get('since')) value.since = params.get('since');
  return validateRoomMessage(value);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
