import {
  definedFields,
  embeddedConfig,
  isInteger,
  type AppConfig,
  type BuildcastStackOptions,
  type LimitsConfig,
  type SnapshotConfig,
} from '#config';

/**
 * What `BuildcastApiModule.forRoot` takes: the stack it joins (BuildcastStackOptions) and its
 * own routes and limits, not a whole AppConfig. Every field but `databaseUrl` has the
 * standalone API's default. Live agents stay off (a runner-worker's decision, LIVE_AGENTS).
 */
export interface BuildcastApiOptions extends BuildcastStackOptions {
  /** The path every route is under (default `api`: `/api/projects`, …); the host's global prefix comes first. */
  prefix?: string;
  /** `GET <prefix>/health` and `<prefix>/health/:service` (default true), or false for none. */
  health?: boolean;
  /** JSON bodies larger than this are refused with 413 (MAX_BODY_BYTES, default 10 MiB). */
  maxBodyBytes?: number;
  /** Rate limits (RATE_LIMIT_PER_MINUTE, …; docs/protocol.md "Limits"). */
  limits?: Partial<Omit<LimitsConfig, 'trustedProxies'>>;
  snapshots?: Partial<SnapshotConfig>;
}

/** The injection token of the module's ApiRoutes. */
export const API_ROUTES = Symbol('ApiRoutes');

/** The routes the module serves. */
export interface ApiRoutes {
  /** Where the routes go; null: under the app's global prefix (the standalone API sets `api`). */
  readonly prefix: string | null;
  readonly health: boolean;
}

export interface ResolvedApiOptions {
  readonly config: AppConfig;
  readonly routes: ApiRoutes;
}

/** Checks the options and fills in the defaults; bad fields throw one ConfigurationError naming each. */
export function resolveApiOptions(options: BuildcastApiOptions): ResolvedApiOptions {
  const config = embeddedConfig('BuildcastApiModule', options, (defaults) => ({
    config: {
      maxBodyBytes: options.maxBodyBytes ?? defaults.maxBodyBytes,
      limits: {
        ...defaults.limits,
        trustedProxies: options.trustedProxies ?? defaults.limits.trustedProxies,
        ...definedFields(options.limits ?? {}),
      },
      snapshots: { ...defaults.snapshots, ...definedFields(options.snapshots ?? {}) },
    },
    problems: apiOptionProblems(options),
  }));
  return { config, routes: { prefix: options.prefix ?? 'api', health: options.health ?? true } };
}

function apiOptionProblems(options: BuildcastApiOptions): string[] {
  const problems: string[] = [];
  if (options.prefix !== undefined && !/^[A-Za-z0-9/_-]*$/.test(options.prefix)) {
    problems.push('prefix must be a path such as api or buildcast/api');
  }
  if (options.maxBodyBytes !== undefined && !isInteger(options.maxBodyBytes, 1024, Number.MAX_SAFE_INTEGER)) {
    problems.push('maxBodyBytes must be an integer of at least 1024');
  }
  const groups = [
    { group: 'limits', values: options.limits, minimum: 1 },
    { group: 'snapshots', values: options.snapshots, minimum: 0 },
  ];
  for (const { group, values, minimum } of groups) {
    for (const [field, value] of Object.entries(values ?? {})) {
      if (value !== undefined && !isInteger(value, minimum, Number.MAX_SAFE_INTEGER)) {
        problems.push(`${group}.${field} must be an integer of at least ${minimum}`);
      }
    }
  }
  return problems;
}
