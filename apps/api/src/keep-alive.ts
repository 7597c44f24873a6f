import type { Server } from 'node:http';

/**
 * How long the API keeps an idle kept-alive socket open: longer than the clients' and the
 * proxies' own idle timeouts (60 s on common load balancers), so the side that reuses a socket
 * is the one that closes it. With Node's default of 5 s, a client or proxy could send a
 * request on a socket the API was closing that instant: ECONNRESET, the request lost.
 */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

/** Sets the API's HTTP server's keep-alive (see KEEP_ALIVE_TIMEOUT_MS), before it listens. */
export function keepIdleSocketsOpen(server: Server): void {
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  // Above keepAliveTimeout, as Node asks: otherwise a request on a socket that stayed idle
  // long can be cut by the headers timer before the keep-alive one would have closed it.
  server.headersTimeout = KEEP_ALIVE_TIMEOUT_MS + 1_000;
}
