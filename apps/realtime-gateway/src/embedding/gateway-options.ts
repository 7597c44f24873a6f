import {
  AppConfig,
  ConfigurationError,
  loadConfig,
  TRANSPORTS,
  type GatewayConfig,
  type IdentityConfig,
  type Transport,
} from '#config';
import { allowedOrigins } from '#identity';

/**
 * What `BuildcastGatewayModule.forRoot` takes: the gateway's own settings, not a whole
 * AppConfig, and nothing read from the host's environment. Every field but `databaseUrl` has
 * the default the standalone gateway has (docs/embedding.md lists them).
 */
export interface BuildcastGatewayOptions {
  /** The Postgres the API and runner-workers write to (DATABASE_URL). Migrated at start. */
  databaseUrl: string;
  /** Connections of the gateway's own pool (reads only; default 10). */
  databasePoolSize?: number;
  /** What carries announcements: `redis` (default) or `postgres` (LISTEN/NOTIFY), as the rest of the stack. */
  transport?: Transport;
  /** Only on the Redis transport; default redis://127.0.0.1:6379. */
  redisUrl?: string;
  /** The stack's QUEUE_PREFIX (default `bull`): presence and per-IP limits are kept under it. */
  queuePrefix?: string;
  /** Where sockets are accepted on the host's HTTP server; default `/ws`. */
  path?: string;
  /**
   * Browser origins that may open a socket (another site's page must not, with the user's
   * cookie: WebSockets have no CORS). Clients that send no Origin (not browsers) always may.
   * Default: none.
   */
  allowedOrigins?: readonly string[];
  /** The gateway's `GET` health route on the host's server (default `health`), or false for none. */
  healthPath?: string | false;
  /** Prometheus `/metrics` on a port of its own (0: a free one), or false (the default) for none. */
  metrics?: false | { port: number; host?: string };
  /** Credentials, as the API's: `adminKey` (BUILDCAST_ADMIN_KEY), `tokenSecret` (default: the secret kept in Postgres). */
  identity?: Partial<IdentityConfig>;
  /** Proxies whose X-Forwarded-For is believed (TRUSTED_PROXIES); default `['loopback']`. */
  trustedProxies?: readonly string[];
  /** Heartbeat, coalescing, limits (the GATEWAY_* variables, docs/protocol.md). */
  tuning?: Partial<GatewayConfig>;
}

/** The routes and checks the module itself serves, from the options. */
export interface GatewayRoutes {
  readonly path: string;
  readonly allowedOrigins: ReadonlySet<string>;
  readonly healthPath: string | false;
  readonly metrics: false | { readonly port: number; readonly host: string };
}

export interface ResolvedGatewayOptions {
  /** What the gateway's providers read (the same class the standalone app builds from its environment). */
  readonly config: AppConfig;
  readonly routes: GatewayRoutes;
}

/** Checks the options and fills in the defaults; a bad field throws a ConfigurationError naming it. */
export function resolveGatewayOptions(options: BuildcastGatewayOptions): ResolvedGatewayOptions {
  // The standalone defaults, from an empty environment (never the host's process.env).
  const defaults = loadConfig({});
  const problems = optionProblems(options, Object.keys(defaults.gateway));
  if (problems.length > 0) {
    throw new ConfigurationError(`Invalid BuildcastGatewayModule options:\n  ${problems.join('\n  ')}`);
  }
  const config: AppConfig = Object.assign(Object.create(AppConfig.prototype) as AppConfig, defaults, {
    databaseUrl: options.databaseUrl,
    databasePoolSize: options.databasePoolSize ?? defaults.databasePoolSize,
    transport: options.transport ?? defaults.transport,
    redisUrl: options.redisUrl ?? defaults.redisUrl,
    queuePrefix: options.queuePrefix ?? defaults.queuePrefix,
    identity: { ...defaults.identity, ...definedFields(options.identity ?? {}) },
    limits: { ...defaults.limits, trustedProxies: options.trustedProxies ?? defaults.limits.trustedProxies },
    gateway: { ...defaults.gateway, ...definedFields(options.tuning ?? {}) },
  } satisfies Partial<AppConfig>);
  const metrics = options.metrics ?? false;
  return {
    config: Object.freeze(config),
    routes: {
      path: options.path ?? '/ws',
      allowedOrigins: new Set(options.allowedOrigins ?? []),
      healthPath: options.healthPath ?? 'health',
      metrics: metrics && { port: metrics.port, host: metrics.host ?? '127.0.0.1' },
    },
  };
}

/** The standalone gateway's options: everything from its validated environment. */
export function gatewayOptionsFrom(config: AppConfig): BuildcastGatewayOptions {
  return {
    databaseUrl: config.databaseUrl,
    databasePoolSize: config.databasePoolSize,
    transport: config.transport,
    redisUrl: config.redisUrl,
    queuePrefix: config.queuePrefix,
    path: '/ws',
    // The web app's origins (PUBLIC_URL, CORS_ORIGINS), as the API allows them.
    allowedOrigins: [...allowedOrigins(config.publicUrl, config.corsOrigins, config.publicUrlIsSet)],
    healthPath: 'health',
    metrics: { port: config.metricsPort, host: config.metricsBindAddress },
    identity: config.identity,
    trustedProxies: config.limits.trustedProxies,
    tuning: config.gateway,
  };
}

const POSITIVE_TUNING: readonly (keyof GatewayConfig)[] = [
  'heartbeatMs',
  'maxLagEvents',
  'maxBufferedBytes',
  'rateLimitPer10s',
  'auditMs',
  'connectionsPerIp',
];

function optionProblems(options: BuildcastGatewayOptions, tuningFields: readonly string[]): string[] {
  const problems: string[] = [];
  if (typeof options.databaseUrl !== 'string' || !/^postgres(ql)?:\/\/\S+$/.test(options.databaseUrl)) {
    problems.push('databaseUrl must be a postgres:// URL');
  }
  if (options.transport !== undefined && !TRANSPORTS.includes(options.transport)) {
    problems.push(`transport must be one of ${TRANSPORTS.join(', ')}`);
  }
  if (options.redisUrl !== undefined && !/^rediss?:\/\/\S+$/.test(options.redisUrl)) {
    problems.push('redisUrl must be a redis:// URL');
  }
  if (options.path !== undefined && !/^\/\S*$/.test(options.path)) {
    problems.push('path must start with / (such as /ws)');
  }
  if (
    options.healthPath !== undefined &&
    options.healthPath !== false &&
    typeof options.healthPath !== 'string'
  ) {
    problems.push('healthPath must be a path or false');
  }
  if (options.metrics && !isInteger(options.metrics.port, 0, 65535)) {
    problems.push('metrics.port must be an integer port between 0 (any free port) and 65535');
  }
  if (options.databasePoolSize !== undefined && !isInteger(options.databasePoolSize, 1, 200)) {
    problems.push('databasePoolSize must be an integer between 1 and 200');
  }
  for (const origin of options.allowedOrigins ?? []) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin))
      problems.push(`allowedOrigins: ${JSON.stringify(origin)} is not an origin such as https://example.com`);
  }
  for (const [field, value] of Object.entries(options.tuning ?? {})) {
    if (!tuningFields.includes(field)) {
      problems.push(`tuning.${field} is not a gateway setting (one of ${tuningFields.join(', ')})`);
      continue;
    }
    const minimum = POSITIVE_TUNING.includes(field as keyof GatewayConfig) ? 1 : 0;
    if (value !== undefined && !isInteger(value, minimum, Number.MAX_SAFE_INTEGER)) {
      problems.push(`tuning.${field} must be an integer of at least ${minimum}`);
    }
  }
  return problems;
}

function isInteger(value: unknown, min: number, max: number): boolean {
  return Number.isInteger(value) && (value as number) >= min && (value as number) <= max;
}

/** `{ a: undefined }` must not replace a default. */
function definedFields<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as Partial<T>;
}
