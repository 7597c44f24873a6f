/** Where a service listens, as the TCP probe and the messages name it. */
export interface ServiceAddress {
  readonly host: string;
  readonly port: number;
}

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/buildcast';
export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';
export const DEFAULT_POSTGRES_ADDRESS: ServiceAddress = { host: '127.0.0.1', port: 5432 };
export const DEFAULT_REDIS_ADDRESS: ServiceAddress = { host: '127.0.0.1', port: 6379 };

const DEFAULT_PORTS: Record<string, number> = { postgres: 5432, postgresql: 5432, redis: 6379, rediss: 6379 };

/**
 * The host and port of a postgres:// or redis:// URL; undefined when the URL names no TCP
 * address (a Unix socket, or a value the apps will refuse as a configuration error).
 */
export function serviceAddress(url: string): ServiceAddress | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1');
  const defaultPort = DEFAULT_PORTS[parsed.protocol.slice(0, -1)];
  if (host === '' || defaultPort === undefined) return undefined;
  return { host, port: parsed.port === '' ? defaultPort : Number(parsed.port) };
}

export function formatAddress({ host, port }: ServiceAddress): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The URL as it may be logged: without its password. */
export function withoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === '') return url;
    parsed.password = '';
    return parsed.toString();
  } catch {
    return '(not a URL)';
  }
}

/** This machine: the only place where "start it" advice can be followed. */
export function isThisMachine(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}
