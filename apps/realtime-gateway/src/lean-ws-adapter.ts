import type { INestApplicationContext } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import type { IncomingMessage } from 'node:http';
import type { WebSocket, WebSocketServer } from 'ws';
import { isOriginAllowed } from '#identity';

export interface UpgradeChecks {
  /** Browser origins that may open a socket; a request without Origin (not a browser) may too. */
  allowedOrigins: ReadonlySet<string>;
  originRefused(): void;
}

/**
 * Nest's WsAdapter, minus its per-socket message router: the gateway has no
 * @SubscribeMessage handlers (it parses frames itself, to answer with the contract's close
 * codes), so the router's per-socket RxJS pipeline would only cost memory on every
 * connection. Plus the upgrade's Origin check: another site's page must not open a socket
 * with the user's cookie (WebSockets have no CORS), so it gets HTTP 403 and no socket.
 */
export class LeanWsAdapter extends WsAdapter {
  constructor(
    app: INestApplicationContext,
    private readonly checks: UpgradeChecks,
  ) {
    super(app);
  }

  override create(
    port: number,
    options?: Parameters<WsAdapter['create']>[1],
  ): ReturnType<WsAdapter['create']> {
    return super.create(port, {
      ...options,
      verifyClient: (
        info: { req: IncomingMessage },
        done: (result: boolean, code?: number, message?: string) => void,
      ) => {
        if (isOriginAllowed(info.req.headers.origin, this.checks.allowedOrigins)) return done(true);
        this.checks.originRefused();
        done(false, 403, 'Origin not allowed');
      },
    });
  }

  override bindMessageHandlers(): void {
    // Intentionally empty: see the class comment.
  }

  /**
   * A socket's `error` is a client breaking the WebSocket protocol (invalid UTF-8, a frame
   * over `maxPayload`, a bad opcode); ws closes that socket itself (1007, 1009, 1002). It
   * must have a listener, or the event would throw, and it gets one line: Nest's default logs
   * a stack trace per event, which any client could turn into a log flood.
   */
  override bindErrorHandler(server: WebSocketServer): WebSocketServer {
    server.on('connection', (socket: WebSocket) =>
      socket.on('error', (error) => this.logger.warn(`A client socket failed: ${error.message}`)),
    );
    server.on('error', (error) => this.logger.error(error));
    return server;
  }
}
