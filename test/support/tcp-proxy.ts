import net from 'node:net';

export interface TcpProxy {
  readonly port: number;
  /** Drops every connection and refuses new ones: the far side seems gone to this proxy's clients only. */
  cut(): Promise<void>;
  /**
   * A lost COMMIT, once: the next Postgres COMMIT a client sends reaches the server, and once
   * the server has answered (committed), that connection is dropped with the answer unsent.
   * Resolves when it has happened.
   */
  loseNextCommitAnswer(): Promise<void>;
  /**
   * The same for the next message a client sends that contains `marker` (e.g. a named
   * statement's name, in its Bind): dropped once the server has answered it. Outside a
   * transaction, Postgres answers a statement once it has committed it.
   */
  loseNextAnswerTo(marker: string): Promise<void>;
  close(): Promise<void>;
}

/** A simple-protocol Query message for COMMIT ('Q', its length, the text), as node-postgres sends it. */
const COMMIT_QUERY = Buffer.concat([Buffer.from('Q'), Buffer.from([0, 0, 0, 11]), Buffer.from('COMMIT\0')]);

/**
 * A TCP proxy to 127.0.0.1:`targetPort`, so that a test can take a service away from one
 * process (e.g. a runner-worker's Postgres) while the others keep it.
 */
export async function startTcpProxy(targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<net.Socket>();
  let trap: { marker: Buffer; sprung: () => void } | undefined;
  const server = net.createServer((client) => {
    const upstream = net.connect(targetPort, '127.0.0.1');
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      socket.on('error', () => undefined); // the other side's close ends the pair
    }
    // Set once this connection's trapped message is on its way: the server's next bytes are its answer.
    let losing: (() => void) | undefined;
    forward(client, upstream, (chunk) => {
      if (trap && chunk.includes(trap.marker)) {
        losing = trap.sprung;
        trap = undefined;
      }
    });
    forward(upstream, client, () => {
      if (!losing) return true;
      client.destroy();
      upstream.destroy();
      losing();
      return false;
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const loseNextAnswer = (marker: Buffer) => new Promise<void>((sprung) => (trap = { marker, sprung }));
  const cut = async () => {
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of sockets) socket.destroy();
    await closed;
  };
  return {
    port: (server.address() as net.AddressInfo).port,
    cut,
    loseNextCommitAnswer: () => loseNextAnswer(COMMIT_QUERY),
    loseNextAnswerTo: (marker) => loseNextAnswer(Buffer.from(marker)),
    close: () => (server.listening ? cut() : Promise.resolve()),
  };
}

/** Copies `from` to `to` like pipe(), each chunk shown to `inspect` first (false: not copied). */
function forward(from: net.Socket, to: net.Socket, inspect: (chunk: Buffer) => boolean | void): void {
  from.on('data', (chunk: Buffer) => {
    if (inspect(chunk) === false || to.destroyed) return;
    if (!to.write(chunk)) {
      from.pause();
      to.once('drain', () => from.resume());
    }
  });
  from.on('end', () => to.end());
}
