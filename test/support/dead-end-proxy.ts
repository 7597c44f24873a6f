import net from 'node:net';

export interface DeadEndProxy {
  /** `http://127.0.0.1:<port>`, for HTTPS_PROXY. */
  readonly url: string;
  /** The connections it has refused so far: a CLI that got none did not use it. */
  readonly connections: number;
  close(): Promise<void>;
}

/**
 * An HTTP proxy with no way out: every request (a CONNECT, usually) is answered
 * `502 Bad Gateway`. A CLI given it as HTTPS_PROXY reaches nothing, the same way on every
 * machine: no DNS lookup, no network, whatever the machine can reach.
 */
export async function startDeadEndProxy(): Promise<DeadEndProxy> {
  let connections = 0;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined); // a client that gives up first
    socket.once('data', () => socket.end('HTTP/1.1 502 Bad Gateway\r\ncontent-length: 0\r\n\r\n'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    get connections() {
      return connections;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
