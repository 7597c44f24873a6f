import { formatAddress, isThisMachine, type ServiceAddress } from './addresses.js';

/** What the advice to start a service may name: what this machine has. */
export interface LocalServices {
  readonly platform: NodeJS.Platform;
  /** Whether we run as root (else Debian's cluster commands need sudo). */
  readonly root: boolean;
  /** Debian's Postgres clusters on this machine, as pg_ctlcluster names them (`15 main`). */
  readonly postgresClusters: readonly string[];
}

/** Runs the whole product on one machine with nothing installed but Node. */
export const EMBEDDED_COMMAND = 'BUILDCAST_EMBEDDED=1 npm start';

/** How to start the Postgres that should answer at `address`, then how to do without it. */
export function postgresHints(address: ServiceAddress, local: LocalServices): string[] {
  const sudo = local.root ? '' : 'sudo ';
  const commands = isThisMachine(address.host)
    ? [
        ...local.postgresClusters.map((cluster) => `${sudo}pg_ctlcluster ${cluster} start`),
        ...(local.platform === 'darwin' ? ['brew services start postgresql'] : []),
        `docker run -d -p 127.0.0.1:${address.port}:5432 -e POSTGRES_HOST_AUTH_METHOD=trust postgres:18`,
      ]
    : [];
  return [
    ...startLines(address, commands),
    `  or run without it: ${EMBEDDED_COMMAND} (an embedded Postgres, its data in .buildcast/; no Redis needed)`,
  ];
}

/** How to start the Redis that should answer at `address`. */
export function redisHints(address: ServiceAddress, local: LocalServices): string[] {
  const port = address.port === 6379 ? '' : ` --port ${address.port}`;
  const commands = isThisMachine(address.host)
    ? [
        ...(local.platform === 'darwin' ? ['brew services start redis'] : []),
        `redis-server${port} --daemonize yes`,
        `docker run -d -p 127.0.0.1:${address.port}:6379 redis:7`,
      ]
    : [];
  return startLines(address, commands);
}

function startLines(address: ServiceAddress, commands: readonly string[]): string[] {
  if (commands.length === 0) {
    return [`  check that the server at ${formatAddress(address)} is up and that this machine can reach it`];
  }
  return commands.map((command, index) => `  ${index === 0 ? 'start it:' : '      or:'} ${command}`);
}
