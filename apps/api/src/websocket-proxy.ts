import type { IncomingMessage, Server } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { Logger } from '@nestjs/common';

/**
 * Forwards WebSocket upgrades on `/ws` to the realtime gateway, byte for byte, so people
 * (and the web app) use one URL: pages and `/api` here, `/ws` through here. In Docker, nginx
 * does the same in front of both. Anything else that asks to upgrade is refused. Every header
 * goes as sent: the gateway needs the browser's Cookie (its sign-in) and Origin (checked on
 * upgrade, 403 when foreign); test/gateway/auth.test.ts checks both through here.
 */
export function forwardWebSockets(server: Server, gatewayUrl: string): void {
  const logger = new Logger('WebSocketProxy');
  const target = new URL(gatewayUrl);
  const port = Number(target.port || 80);
  server.on('upgrade', (request: IncomingMessage, client: Duplex, head: Buffer) => {
    if (new URL(request.url ?? '/', 'http://x').pathname !== '/ws') {
      client.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    let connected = false;
    const upstream: Socket = connect(port, target.hostname, () => {
      connected = true;
      const lines = [`${request.method} ${request.url} HTTP/${request.httpVersion}`];
      for (let i = 0; i < request.rawHeaders.length; i += 2) {
        if (request.rawHeaders[i].toLowerCase() === 'x-forwarded-for') continue; // rewritten below
        lines.push(`${request.rawHeaders[i]}: ${request.rawHeaders[i + 1]}`);
      }
      // The gateway counts sockets per client address (GATEWAY_CONNECTIONS_PER_IP) and sees
      // this process as the peer: say who it forwards for, as any proxy does. The gateway
      // believes it only from TRUSTED_PROXIES (loopback by default).
      lines.push(
        `X-Forwarded-For: ${forwardedFor(request.headers['x-forwarded-for'], request.socket.remoteAddress)}`,
      );
      upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client).pipe(upstream);
    });
    upstream.setNoDelay(true);
    upstream.on('error', (error) => {
      if (!connected) {
        logger.warn(`The gateway at ${gatewayUrl} is unreachable: ${error.message}`);
        client.end('HTTP/1.1 502 Bad Gateway\r\nConnection: close\r\n\r\n');
      } else {
        // A forwarded socket that broke (the gateway closed it while the client still wrote): not an outage.
        logger.debug(`A forwarded WebSocket to ${gatewayUrl} ended: ${error.message}`);
        client.destroy();
      }
    });
    client.on('error', () => upstream.destroy());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
}

/** X-Forwarded-For with `peer` appended to what earlier proxies (or the client) said. */
export function forwardedFor(earlier: string | string[] | undefined, peer: string | undefined): string {
  const hops = Array.isArray(earlier) ? earlier.join(', ') : (earlier ?? '');
  return [hops.trim(), peer ?? 'unknown'].filter((hop) => hop !== '').join(', ');
}
