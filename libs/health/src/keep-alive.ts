import type { Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * How long a service (the API, a gateway on its own port) keeps an idle kept-alive socket
 * open: longer than the clients' and the proxies' own idle timeouts (60 s on common load
 * balancers), so the side that reuses a socket is the one that closes it. With Node's default
 * of 5 s, a client or proxy could send a request (a health check, say) on a socket the service
 * was closing that instant: ECONNRESET, the request lost.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/**
 * Sets a service's HTTP server's keep-alive (see KEEP_ALIVE_TIMEOUT_MS), before it listens, and
 * lets its sockets go at shutdown. `close()` ends only the sockets idle at that moment: a
 * socket opened ahead of its first request (a client's spare) counts as busy until its
 * headers time out, and one whose request (a long-poll, say) finishes later stays kept alive;
 * either held the shutdown for about the whole timeout.
 */
export function keepIdleSocketsOpen(server: Server): void {
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  // Above keepAliveTimeout, as Node asks: otherwise a request on a socket that stayed idle
  // long can be cut by the headers timer before the keep-alive one would have closed it.
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;

  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  server.on('request', (_request, response: ServerResponse) => {
    response.once('finish', () => {
      // Not listening: close() was called. The socket counts as idle once this turn is over.
      if (!server.listening) setImmediate(() => server.closeIdleConnections());
    });
  });
  const close = server.close.bind(server);
  server.close = (callback?: (error?: Error) => void) => {
    close(callback);
    for (const socket of sockets) if (socket.bytesRead === 0) socket.destroy();
    return server;
  };
}
