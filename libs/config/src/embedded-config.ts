import {
  AppConfig,
  ConfigurationError,
  loadConfig,
  TRANSPORTS,
  type IdentityConfig,
  type Transport,
} from './app-config.js';

/**
 * What every mountable Buildcast module (BuildcastGatewayModule, BuildcastApiModule) takes to
 * join a stack: its Postgres, its transport, its credentials. Nothing is read from the host's
 * environment; every field but `databaseUrl` has the standalone app's default.
 */
export interface BuildcastStackOptions {
  /** The stack's Postgres (DATABASE_URL), migrated at start. */
  databaseUrl: string;
  /** Connections of this module's own pool (default 10). */
  databasePoolSize?: number;
  /** What carries announcements: `redis` (default) or `postgres` (LISTEN/NOTIFY), as the rest of the stack. */
  transport?: Transport;
  /** Only on the Redis transport; default redis://127.0.0.1:6379. */
  redisUrl?: string;
  /** The stack's QUEUE_PREFIX (default `bull`): queues, presence and limits are kept under it. */
  queuePrefix?: string;
  /** `adminKey` (BUILDCAST_ADMIN_KEY), `tokenSecret` (default: the secret kept in Postgres), lifetimes. */
  identity?: Partial<IdentityConfig>;
  /** Proxies whose X-Forwarded-For is believed (TRUSTED_PROXIES); default `['loopback']`. */
  trustedProxies?: readonly string[];
  /**
   * Browser origins whose pages may use the sign-in cookie and open sockets (PUBLIC_URL and
   * CORS_ORIGINS). Requests without Origin (not browsers) always may. Default: none.
   */
  allowedOrigins?: readonly string[];
}

/** No browser sends this origin (.invalid is reserved): with no allowedOrigins, none is allowed. */
const NO_ORIGIN = 'http://buildcast.invalid';

/**
 * A module's AppConfig from its options: the standalone defaults (from an empty environment),
 * the stack options, then the module's own `overrides`. A bad field throws one
 * ConfigurationError naming every bad field, `problems` (the module's own checks) included.
 */
export function embeddedConfig(
  moduleName: string,
  options: BuildcastStackOptions,
  overrides: (defaults: AppConfig) => { config?: Partial<AppConfig>; problems?: string[] } = () => ({}),
): AppConfig {
  const defaults = loadConfig({});
  const own = overrides(defaults);
  const problems = [...stackOptionProblems(options), ...(own.problems ?? [])];
  if (problems.length > 0) {
    throw new ConfigurationError(`Invalid ${moduleName} options:\n  ${problems.join('\n  ')}`);
  }
  const origins = options.allowedOrigins ?? [];
  const config: AppConfig = Object.assign(Object.create(AppConfig.prototype) as AppConfig, defaults, {
    databaseUrl: options.databaseUrl,
    databasePoolSize: options.databasePoolSize ?? defaults.databasePoolSize,
    transport: options.transport ?? defaults.transport,
    redisUrl: options.redisUrl ?? defaults.redisUrl,
    queuePrefix: options.queuePrefix ?? defaults.queuePrefix,
    identity: { ...defaults.identity, ...definedFields(options.identity ?? {}) },
    limits: { ...defaults.limits, trustedProxies: options.trustedProxies ?? defaults.limits.trustedProxies },
    publicUrl: origins[0] ?? NO_ORIGIN,
    publicUrlIsSet: true,
    corsOrigins: [...origins],
    ...own.config,
  } satisfies Partial<AppConfig>);
  return Object.freeze(config);
}

function stackOptionProblems(options: BuildcastStackOptions): string[] {
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
  if (options.queuePrefix !== undefined && !/^[A-Za-z0-9_-]+$/.test(options.queuePrefix)) {
    problems.push('queuePrefix may hold letters, digits, _ and -');
  }
  if (options.databasePoolSize !== undefined && !isInteger(options.databasePoolSize, 1, 200)) {
    problems.push('databasePoolSize must be an integer between 1 and 200');
  }
  for (const origin of options.allowedOrigins ?? []) {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) {
      problems.push(`allowedOrigins: ${JSON.stringify(origin)} is not an origin such as https://example.com`);
    }
  }
  return problems;
}

export function isInteger(value: unknown, min: number, max: number): boolean {
  return Number.isInteger(value) && (value as number) >= min && (value as number) <= max;
}

/** `{ a: undefined }` must not replace a default. */
export function definedFields<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as Partial<T>;
}
