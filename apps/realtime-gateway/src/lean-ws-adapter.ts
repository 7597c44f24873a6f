import { WsAdapter } from '@nestjs/platform-ws';
import type { WebSocket, WebSocketServer } from 'ws';

/**
 * Nest's WsAdapter, minus its per-socket message router: the gateway has no
 * @SubscribeMessage handlers (it parses frames itself, to answer with the contract's close
 * codes), so the router's per-socket RxJS pipeline would only cost memory on every
 * connection.
 */
export class LeanWsAdapter extends WsAdapter {
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
