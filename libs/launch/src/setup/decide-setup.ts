import path from 'node:path';
import {
  DEFAULT_DATABASE_URL,
  DEFAULT_POSTGRES_ADDRESS,
  DEFAULT_REDIS_ADDRESS,
  DEFAULT_REDIS_URL,
  formatAddress,
  serviceAddress,
  withoutPassword,
  type ServiceAddress,
} from './addresses.js';
import { EMBEDDED_COMMAND, postgresHints, redisHints, type LocalServices } from './service-hints.js';

/** The variables `npm start` decides with (the apps validate everything else themselves). */
export interface LaunchEnvironment {
  readonly BUILDCAST_EMBEDDED?: string;
  readonly BUILDCAST_TRANSPORT?: string;
  readonly BUILDCAST_DATA_DIR?: string;
  readonly DATABASE_URL?: string;
  readonly REDIS_URL?: string;
}

/** The addresses worth probing before deciding (none for a service that will not be used). */
export interface ProbeTargets {
  readonly postgres?: ServiceAddress;
  readonly redis?: ServiceAddress;
}

/** Whether something answered at each probed address. */
export interface ProbeResults {
  readonly postgres?: boolean;
  readonly redis?: boolean;
}

export type DatabaseSetup =
  | { readonly kind: 'embedded'; readonly dataDir: string }
  | { readonly kind: 'external'; readonly url: string };

export type TransportSetup = { readonly kind: 'redis'; readonly url: string } | { readonly kind: 'postgres' };

/** The stack to run, with the lines that say so; or why it cannot run, in a few lines. */
export type SetupDecision =
  | {
      readonly ok: true;
      readonly database: DatabaseSetup;
      readonly transport: TransportSetup;
      readonly lines: readonly string[];
    }
  | { readonly ok: false; readonly lines: readonly string[] };

export interface DecisionInput {
  readonly env: LaunchEnvironment;
  /** Where a relative BUILDCAST_DATA_DIR (and the default `.buildcast`) lives. */
  readonly cwd: string;
  readonly answered: ProbeResults;
  readonly local: LocalServices;
}

interface Choices {
  readonly embedded?: '0' | '1';
  readonly transport?: 'redis' | 'postgres';
  readonly databaseUrl?: string;
  readonly redisUrl?: string;
}

/** Which addresses to probe: those whose answer can change the decision or its warnings. */
export function probeTargets(env: LaunchEnvironment): ProbeTargets {
  const choices = readChoices(env);
  if (typeof choices === 'string') return {};
  return {
    postgres:
      choices.embedded === '1' ? undefined : serviceAddress(choices.databaseUrl ?? DEFAULT_DATABASE_URL),
    redis: postgresTransportAsked(choices)
      ? undefined
      : serviceAddress(choices.redisUrl ?? DEFAULT_REDIS_URL),
  };
}

/**
 * Decides once for the three apps: which Postgres (embedded or external) and which transport
 * (Redis, or Postgres alone). An external Postgres that does not answer stops the start with
 * advice; a Redis that was asked for and does not answer is a warning (the apps retry it).
 */
export function decideSetup({ env, cwd, answered, local }: DecisionInput): SetupDecision {
  const choices = readChoices(env);
  if (typeof choices === 'string') return { ok: false, lines: [choices] };
  const dataDir = path.resolve(cwd, given(env.BUILDCAST_DATA_DIR) ?? '.buildcast');

  const lines: string[] = [];
  const failures: string[] = [];
  let database: DatabaseSetup | undefined;
  const defaultPostgres = formatAddress(DEFAULT_POSTGRES_ADDRESS);
  if (choices.embedded === '1') {
    database = { kind: 'embedded', dataDir };
    const ignored = choices.databaseUrl === undefined ? '' : '; DATABASE_URL is ignored';
    lines.push(`database: embedded Postgres in ${dataDir} (BUILDCAST_EMBEDDED=1${ignored})`);
  } else if (choices.databaseUrl !== undefined) {
    const address = serviceAddress(choices.databaseUrl);
    if (address && answered.postgres === false) {
      failures.push(
        `Postgres is not reachable at ${formatAddress(address)} (DATABASE_URL=${withoutPassword(choices.databaseUrl)}).`,
        ...postgresHints(address, local),
      );
    }
    database = { kind: 'external', url: choices.databaseUrl };
    lines.push(`database: external ${withoutPassword(choices.databaseUrl)} (DATABASE_URL)`);
  } else if (answered.postgres !== false) {
    database = { kind: 'external', url: DEFAULT_DATABASE_URL };
    lines.push(
      `database: external ${DEFAULT_DATABASE_URL} (DATABASE_URL is unset; a Postgres answers at ${defaultPostgres})`,
    );
  } else if (choices.embedded === '0') {
    failures.push(
      `Postgres is not reachable at ${defaultPostgres} (DATABASE_URL is unset; BUILDCAST_EMBEDDED=0 rules out an embedded one).`,
      ...postgresHints(DEFAULT_POSTGRES_ADDRESS, local),
    );
  } else {
    database = { kind: 'embedded', dataDir };
    lines.push(
      `database: embedded Postgres in ${dataDir} (DATABASE_URL is unset and no Postgres answers at ${defaultPostgres})`,
    );
  }

  let transport: TransportSetup;
  const redisDown: string[] = [];
  if (postgresTransportAsked(choices)) {
    transport = { kind: 'postgres' };
    const reason = choices.transport === 'postgres' ? 'BUILDCAST_TRANSPORT=postgres' : 'BUILDCAST_EMBEDDED=1';
    const ignored = choices.redisUrl === undefined ? '' : '; REDIS_URL is ignored';
    lines.push(`transport: postgres (${reason}${ignored})`);
  } else if (choices.transport === 'redis' || choices.redisUrl !== undefined || answered.redis !== false) {
    const url = choices.redisUrl ?? DEFAULT_REDIS_URL;
    const reason =
      choices.redisUrl !== undefined
        ? 'REDIS_URL'
        : choices.transport === 'redis'
          ? 'BUILDCAST_TRANSPORT=redis'
          : `REDIS_URL is unset; a Redis answers at ${formatAddress(DEFAULT_REDIS_ADDRESS)}`;
    transport = { kind: 'redis', url };
    lines.push(`transport: redis ${withoutPassword(url)} (${reason})`);
    const address = serviceAddress(url);
    if (address && answered.redis === false) {
      const variable = choices.redisUrl !== undefined ? 'REDIS_URL' : 'BUILDCAST_TRANSPORT=redis';
      redisDown.push(
        `Redis is not reachable at ${formatAddress(address)} (${variable})`,
        ...redisHints(address, local),
      );
    }
  } else {
    transport = { kind: 'postgres' };
    const address = formatAddress(DEFAULT_REDIS_ADDRESS);
    lines.push(`transport: postgres (REDIS_URL is unset and no Redis answers at ${address})`);
  }

  if (failures.length > 0 || database === undefined) {
    const redisToo = redisDown.length > 0 ? [`${redisDown[0]} either.`, ...redisDown.slice(1)] : [];
    return { ok: false, lines: [...failures, ...redisToo] };
  }
  if (redisDown.length > 0) {
    lines.push(
      `${redisDown[0]}: the apps start anyway and keep retrying; builds wait until it answers.`,
      ...redisDown.slice(1),
      `  or run without Redis: BUILDCAST_TRANSPORT=postgres npm start, or ${EMBEDDED_COMMAND}`,
    );
  }
  return { ok: true, database, transport, lines };
}

/** The variables every app gets, so that all three run on the same setup. */
export function appEnvironment(transport: TransportSetup, databaseUrl: string): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    BUILDCAST_TRANSPORT: transport.kind,
    ...(transport.kind === 'redis' ? { REDIS_URL: transport.url } : {}),
  };
}

/** The choices as given, or a line naming the bad variable. */
function readChoices(env: LaunchEnvironment): Choices | string {
  const embedded = given(env.BUILDCAST_EMBEDDED);
  if (embedded !== undefined && embedded !== '0' && embedded !== '1') {
    return `BUILDCAST_EMBEDDED=${JSON.stringify(embedded)}: must be 1 (run on an embedded Postgres alone) or 0`;
  }
  const transport = given(env.BUILDCAST_TRANSPORT);
  if (transport !== undefined && transport !== 'redis' && transport !== 'postgres') {
    return `BUILDCAST_TRANSPORT=${JSON.stringify(transport)}: must be redis or postgres`;
  }
  return { embedded, transport, databaseUrl: given(env.DATABASE_URL), redisUrl: given(env.REDIS_URL) };
}

/** Postgres carries announcements and the queue: asked for, or implied by BUILDCAST_EMBEDDED=1. */
function postgresTransportAsked(choices: Choices): boolean {
  return choices.transport === 'postgres' || (choices.transport === undefined && choices.embedded === '1');
}

/** As the apps' configuration does: an empty variable counts as unset. */
function given(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
