import {
  definedFields,
  embeddedConfig,
  isInteger,
  type AppConfig,
  type BuildcastStackOptions,
  type GatewayConfig,
} from '#config';
import { allowedOrigins } from '#identity';

/**
 * What `BuildcastGatewayModule.forRoot` takes: the stack it joins (BuildcastStackOptions:
 * Postgres, transport, credentials, allowed browser origins) and its own routes and tuning,
 * not a whole AppConfig. Every field but `databaseUrl` has the standalone gateway's default.
 */
export interface BuildcastGatewayOptions extends BuildcastStackOptions {
  /** Where sockets are accepted on the app's HTTP server; default `/ws`. */
  path?: string;
  /** The gateway's `GET` health route on the app's server (default `health`), or false for none. */
  healthPath?: string | false;
  /** Prometheus `/metrics` on a port of its own (0: a free one), or false (the default) for none. */
  metrics?: false | { port: number; host?: string };
  /** Heartbeat, coalescing, limits (the GATEWAY_* variables, docs/protocol.md). */
  tuning?: Partial<GatewayConfig>;
}

/** The routes and checks the module itself serves, from the options. */
export interface GatewayRoutes {
  readonly path: string;
  /** Browser origins that may open a socket (WebSockets have no CORS: checked on upgrade). */
  readonly allowedOrigins: ReadonlySet<string>;
  readonly healthPath: string | false;
  readonly metrics: false | { readonly port: number; readonly host: string };
}

export interface ResolvedGatewayOptions {
  /** What the gateway's providers read (the class the standalone app builds from its environment). */
  readonly config: AppConfig;
  readonly routes: GatewayRoutes;
}

/** Checks the options and fills in the defaults; bad fields throw one ConfigurationError naming each. */
export function resolveGatewayOptions(options: BuildcastGatewayOptions): ResolvedGatewayOptions {
  const config = embeddedConfig('BuildcastGatewayModule', options, (defaults) => ({
    config: { gateway: { ...defaults.gateway, ...definedFields(options.tuning ?? {}) } },
    problems: gatewayOptionProblems(options, Object.keys(defaults.gateway)),
  }));
  const metrics = options.metrics ?? false;
  return {
    config,
    routes: {
      path: options.path ?? '/ws',
      allowedOrigins: allowedOrigins(config.publicUrl, config.corsOrigins, config.publicUrlIsSet),
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
    // The web app's origins (PUBLIC_URL, CORS_ORIGINS), as the API allows them.
    allowedOrigins: [...allowedOrigins(config.publicUrl, config.corsOrigins, config.publicUrlIsSet)],
    identity: config.identity,
    trustedProxies: config.limits.trustedProxies,
    path: '/ws',
    healthPath: 'health',
    metrics: { port: config.metricsPort, host: config.metricsBindAddress },
    tuning: config.gateway,
  };
}

const POSITIVE_TUNING: readonly string[] = [
  'heartbeatMs',
  'maxLagEvents',
  'maxBufferedBytes',
  'rateLimitPer10s',
  'auditMs',
  'connectionsPerIp',
] satisfies (keyof GatewayConfig)[];

function gatewayOptionProblems(options: BuildcastGatewayOptions, tuningFields: readonly string[]): string[] {
  const problems: string[] = [];
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
  for (const [field, value] of Object.entries(options.tuning ?? {})) {
    if (!tuningFields.includes(field)) {
      problems.push(`tuning.${field} is not a gateway setting (one of ${tuningFields.join(', ')})`);
      continue;
    }
    const minimum = POSITIVE_TUNING.includes(field) ? 1 : 0;
    if (value !== undefined && !isInteger(value, minimum, Number.MAX_SAFE_INTEGER)) {
      problems.push(`tuning.${field} must be an integer of at least ${minimum}`);
    }
  }
  return problems;
}
