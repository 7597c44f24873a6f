import { Injectable, Logger, type BeforeApplicationShutdown } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { RawData, WebSocket } from 'ws';
import { AppConfig } from '#config';
import { CloseCode, type ClientMessage } from '#contracts';
import { connectCredential, type Credential } from './auth/connect-credential.js';
import { GatewayAuth } from './auth/gateway-auth.service.js';
import { admitMessage, BAD_CREDENTIAL, maySubscribeNow } from './auth/socket-auth.js';
import { ClientConnection } from './connections/client-connection.js';
import {
  parseClientMessage,
  validateRoomMessage,
  type ParsedClientMessage,
} from './connections/client-messages.js';
import { Connections } from './connections/connections.service.js';
import { ConnectionsPerIp } from './connections/connections-per-ip.js';
import { GatewayMetrics } from './metrics/gateway-metrics.js';
import { projectRoomKey, roomTarget, sessionRoomKey } from './rooms/room-context.js';
import { RoomRegistry } from './rooms/room-registry.js';

type SubscribeMessage = Extract<ClientMessage, { type: 'subscribe' }>;

/** How long shutdown waits for clients to acknowledge the 1012 close. */
const SHUTDOWN_GRACE_MS = 2000;

/**
 * `/ws` (its sockets come from GatewaySocketServer): accepts sockets, authenticates them
 * (GatewayAuth: a credential at connect or an `auth` message), subscribes them by query
 * (`?projectId=&sessionId=&since=`, once authenticated) and by messages, each checked
 * against the credential, and hands rooms to the RoomRegistry. Client messages are parsed here, not by a message router, so every
 * refusal gets the contract's code.
 */
@Injectable()
export class RealtimeGateway implements BeforeApplicationShutdown {
  private readonly logger = new Logger(RealtimeGateway.name);
  private readonly bySocket = new WeakMap<WebSocket, ClientConnection>();
  private shuttingDown = false;

  constructor(
    private readonly config: AppConfig,
    private readonly rooms: RoomRegistry,
    private readonly connections: Connections,
    private readonly perIp: ConnectionsPerIp,
    private readonly metrics: GatewayMetrics,
    private readonly auth: GatewayAuth,
  ) {}

  handleConnection(socket: WebSocket, request: IncomingMessage): void {
    const connection = new ClientConnection(socket, this.config.gateway.maxBufferedBytes);
    if (this.shuttingDown) {
      connection.close(CloseCode.serviceRestart, 'service restart: reconnect');
      return;
    }
    this.bySocket.set(socket, connection);
    this.connections.add(connection);
    // Counted across replicas in Redis, so the answer comes after the socket opened. It is the
    // socket's first turn: its credential and messages wait for it, and a socket over the limit
    // is closed with 4429 before anything of it is served.
    connection.inTurn(() =>
      this.perIp.admit(connection, request).then((admitted) => {
        if (!admitted) {
          connection.close(
            CloseCode.rateLimited,
            `more than ${this.perIp.limit} connections from this address (GATEWAY_CONNECTIONS_PER_IP)`,
          );
        }
      }),
    );
    socket.on('message', (data: RawData, isBinary: boolean) =>
      this.guard(connection, 'a message', () => this.onMessage(connection, data, isBinary)),
    );
    this.guard(connection, 'the connect URL', () => {
      const query = subscriptionFromQuery(request.url);
      // A bad connect URL is a malformed request: there is nothing else on this socket yet.
      if (query?.kind === 'invalid') return connection.close(CloseCode.badRequest, query.message);
      if (query?.kind === 'message' && query.message.type === 'subscribe') {
        connection.connectSubscription = query.message; // joined once authenticated
      }
      this.auth.startDeadline(connection);
      const credential = connectCredential(request.headers, request.url);
      if (credential.kind === 'invalid')
        this.auth.end(connection, { ...BAD_CREDENTIAL, reason: credential.reason });
      else if (credential.kind !== 'none') connection.inTurn(() => this.authenticate(connection, credential));
    });
  }

  handleDisconnect(socket: WebSocket): void {
    const connection = this.bySocket.get(socket);
    if (!connection) return;
    try {
      this.auth.forget(connection);
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
  }

  /**
   * Runs one piece of client input handling. Whatever it throws ends this socket with 4400
   * and is logged; it never reaches the process (an uncaught throw in a socket listener
   * would end the gateway and every other client's connection with it).
   */
  private guard<T>(connection: ClientConnection, what: string, handle: () => T): T | undefined {
    try {
      return handle();
    } catch (error) {
      this.logger.warn(`Handling ${what} failed; closing the socket with 4400: ${describe(error)}`);
      try {
        connection.close(CloseCode.badRequest, 'the gateway could not handle this request');
      } catch {
        connection.socket.terminate(); // close() on a broken socket can throw: drop it hard
      }
      return undefined;
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
    const parsed = parseClientMessage(data, isBinary);
    if (parsed.kind === 'close') return connection.close(parsed.code, parsed.reason);
    // In order: a message sent right after `auth` waits for its verdict.
    connection.inTurn(() => this.guard(connection, 'a message', () => this.handle(connection, parsed)));
  }

  /** Checks a credential; once authenticated, the connect URL's subscription is joined. */
  private async authenticate(connection: ClientConnection, credential: Credential): Promise<void> {
    try {
      const rooms = () => [...connection.rooms].map(roomTarget);
      if (!(await this.auth.authenticate(connection, credential, rooms))) return;
      const subscription = connection.connectSubscription;
      connection.connectSubscription = undefined;
      if (subscription) this.serve(connection, { type: 'subscribe', ...subscription }, 'connect');
    } catch (error) {
      // Runs in a promise chain: the guard's try/catch does not reach it.
      this.guard(connection, 'a credential', () => {
        throw error;
      });
    }
  }

  private handle(
    connection: ClientConnection,
    parsed: Exclude<ParsedClientMessage, { kind: 'close' }>,
  ): Promise<void> | void {
    if (!connection.isOpen || connection.auth.phase === 'ended') return;
    const refusal = admitMessage(
      connection.auth,
      parsed.kind === 'message' ? parsed.message.type : parsed.type,
    );
    if (refusal) return this.auth.end(connection, refusal);
    switch (parsed.kind) {
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
        if (parsed.message.type === 'auth') {
          return this.authenticate(connection, { kind: 'bearer', value: parsed.message.token });
        }
        this.serve(connection, parsed.message, 'message');
    }
  }

  /** Serves a request; when Postgres or Redis fail it, the client is told to retry. */
  private serve(connection: ClientConnection, message: ClientMessage, from: 'message' | 'connect'): void {
    void this.dispatch(connection, message, from).catch((error: unknown) => {
      this.logger.warn(`Handling a ${message.type} failed: ${describe(error)}`);
      this.guard(connection, 'a failed request', () =>
        this.reply(connection, {
          type: 'error',
          code: 'unavailable',
          message: 'The gateway could not serve this request right now; retry shortly',
          ...('projectId' in message ? { projectId: message.projectId, sessionId: message.sessionId } : {}),
        }),
      );
    });
  }

  private async dispatch(
    connection: ClientConnection,
    message: ClientMessage,
    from: 'message' | 'connect',
  ): Promise<void> {
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
      case 'subscribe':
        return this.subscribe(connection, message, from);
      case 'auth':
        return; // handled in order by `handle`
    }
  }

  /**
   * Joins a room the credential covers. Outside it (another project, another session, or
   * one that does not exist there: nothing is revealed) a `subscribe` message is answered
   * `error` forbidden, and the connect URL's subscription closes the socket 4403.
   */
  private async subscribe(
    connection: ClientConnection,
    message: SubscribeMessage,
    from: 'message' | 'connect',
  ): Promise<void> {
    const { projectId, sessionId, since } = message;
    if (!maySubscribeNow(connection.auth, { projectId, sessionId }, new Date())) {
      if (from === 'connect') {
        this.auth.end(connection, {
          code: CloseCode.forbidden,
          reason: "this credential does not cover the connect URL's subscription",
          outcome: 'forbidden',
        });
        return;
      }
      this.auth.refused();
      this.reply(connection, {
        type: 'error',
        code: 'forbidden',
        message: `This credential does not cover ${sessionId ? 'this session' : 'this project'}`,
        projectId,
        sessionId,
      });
      return;
    }
    const outcome = sessionId
      ? await this.rooms.joinSession(connection, projectId, sessionId, since)
      : await this.rooms.joinProject(connection, projectId);
    if (outcome === 'joined' && !maySubscribeNow(connection.auth, { projectId, sessionId }, new Date())) {
      // Renewed meanwhile with a credential that does not cover it (the renewal saw no room yet).
      this.rooms.leave(
        connection,
        sessionId ? sessionRoomKey(projectId, sessionId) : projectRoomKey(projectId),
      );
      if (connection.auth.phase === 'authenticated') {
        this.auth.end(connection, {
          code: CloseCode.forbidden,
          reason: `the new credential does not cover ${sessionId ? `session ${sessionId}` : `project ${projectId}`}`,
          outcome: 'forbidden',
        });
      }
      return;
    }
    if (outcome === 'not-found') {
      this.reply(connection, {
        type: 'error',
        code: 'not_found',
        message: sessionId ? `No session ${sessionId} in project ${projectId}` : `No project ${projectId}`,
        projectId,
        sessionId,
      });
    }
  }

  private reply(connection: ClientConnection, message: Parameters<ClientConnection['send']>[0]): void {
    this.metrics.frameSent(connection.send(message));
  }
}

/** `/ws?projectId=P&sessionId=S&since=N` (the seeds' way) as a subscribe, or null without projectId. */
function subscriptionFromQuery(url: string | undefined): ParsedClientMessage | null {
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
