import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { Logger } from '@nestjs/common';
import { createProxyServer } from 'http-proxy-3';

/** How long a client may take to close its side once this side ended its socket. */
const CLOSE_WAIT_MS = 10_000;

/**
 * Forwards WebSocket upgrades on `/ws` to the realtime gateway (http-proxy-3), so people and
 * the web app use one URL: pages and `/api` here, `/ws` through here. In Docker, nginx does
 * the same in front of both. Anything else that asks to upgrade gets 404. Every header goes as
 * sent: the gateway needs the browser's Cookie (its sign-in) and Origin (checked on upgrade,
 * 403 when foreign); test/gateway/auth.test.ts checks both through here.
 */
export function forwardWebSockets(server: Server, gatewayUrl: string): void {
  const logger = new Logger('WebSocketProxy');
  // xfwd: the gateway counts sockets per client address and sees this process as the peer, so
  // say who it forwards for (appended to X-Forwarded-For, believed only from TRUSTED_PROXIES).
  const proxy = createProxyServer({ target: gatewayUrl, ws: true, xfwd: true });
  const upgraded = new WeakSet<Duplex>();
  proxy.on('proxyReqWs', (proxyRequest, _request, client) => {
    proxyRequest.once('upgrade', () => upgraded.add(client));
  });
  proxy.on('error', (error, _request, client) => {
    const socket = client as Duplex;
    if (upgraded.has(socket)) {
      // A forwarded socket that broke (the gateway closed it while the client still wrote): not an outage.
      logger.debug(`A forwarded WebSocket to ${gatewayUrl} ended: ${error.message}`);
      return;
    }
    logger.warn(`The gateway at ${gatewayUrl} is unreachable: ${error.message}`);
    if (socket.writable) socket.end('HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\n\r\n');
  });
  server.on('upgrade', (request: IncomingMessage, client: Duplex, head: Buffer) => {
    if (new URL(request.url ?? '/', 'http://x').pathname !== '/ws') {
      client.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    client.on('error', () => client.destroy()); // a client that vanished mid-handshake
    closeOnceEnded(client);
    proxy.ws(request, client, head);
  });
}

/**
 * Once this side ended a forwarded socket (the gateway closed its WebSocket), what the client
 * still sends (its close frame) is read and dropped, so that its end is seen and the socket
 * closes. Taking down the pipe to the gateway pauses it, and a paused socket with unread bytes
 * never sees its end: it stayed open for good, and held the API's shutdown (server.close
 * waits for every connection). A client that keeps its side open is dropped after CLOSE_WAIT_MS.
 */
function closeOnceEnded(socket: Duplex): void {
  socket.once('finish', () => {
    const drop = () => setImmediate(() => socket.resume()); // after the pipe's own pause
    socket.on('pause', drop);
    drop();
    const timer = setTimeout(() => socket.destroy(), CLOSE_WAIT_MS).unref();
    socket.once('close', () => clearTimeout(timer));
  });
}
