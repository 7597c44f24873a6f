import { plainToInstance, Transform } from 'class-transformer';
import os from 'node:os';
import path from 'node:path';
import { IsInt, IsNotEmpty, IsOptional, IsString, Matches, Max, Min, validateSync } from 'class-validator';
import { DEFAULT_AGENT_ENV, pickAgentEnvironment } from './agent-environment.js';

const toInt = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value;

const ORIGIN = /^https?:\/\/[^/\s]+$/;
const PORT = '$property must be an integer port between 1 and 65535';
const METRICS_PORT = 'METRICS_PORT must be an integer port between 0 (any free port) and 65535';
const ANY_PORT = '$property must be an integer port between 0 (any free port) and 65535';

export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export const TRANSPORTS = ['redis', 'postgres'] as const;
export type Transport = (typeof TRANSPORTS)[number];

export const LIVE_AGENT_NAMES = ['claude-code', 'codex', 'command'] as const;
export type LiveAgentName = (typeof LIVE_AGENT_NAMES)[number];
const LIVE_AGENT = LIVE_AGENT_NAMES.join('|');

/** Environment variables as given; every one has a default that works on a developer machine. */
class Environment {
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/buildcast';

  @Matches(/^rediss?:\/\/\S+$/, { message: 'REDIS_URL must be a redis:// URL' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  /** `1`: run on Postgres alone (embedded mode); implies BUILDCAST_TRANSPORT=postgres. */
  @IsOptional()
  @Matches(/^[01]$/, { message: 'BUILDCAST_EMBEDDED must be 1 or 0' })
  BUILDCAST_EMBEDDED?: string;

  /** What carries announcements and the build queue: Redis (the scaled mode) or Postgres. */
  @IsOptional()
  @Matches(/^(redis|postgres)$/, { message: 'BUILDCAST_TRANSPORT must be redis or postgres' })
  BUILDCAST_TRANSPORT?: 'redis' | 'postgres';

  @Transform(toInt)
  @IsInt({ message: PORT })
  @Min(1, { message: PORT })
  @Max(65535, { message: PORT })
  API_PORT = 3000;

  @Transform(toInt)
  @IsInt({ message: PORT })
  @Min(1, { message: PORT })
  @Max(65535, { message: PORT })
  GATEWAY_PORT = 3001;

  /** The gateway's Prometheus endpoint, on a port of its own (0: any free port, for tests). */
  @Transform(toInt)
  @IsInt({ message: METRICS_PORT })
  @Min(0, { message: METRICS_PORT })
  @Max(65535, { message: METRICS_PORT })
  METRICS_PORT = 9464;

  /** The API's Prometheus endpoint, on a port of its own like the gateway's (0: any free port). */
  @Transform(toInt)
  @IsInt({ message: ANY_PORT })
  @Min(0, { message: ANY_PORT })
  @Max(65535, { message: ANY_PORT })
  API_METRICS_PORT = 9465;

  /** The runner-worker's `/health` and `/metrics`, at BIND_ADDRESS (0: any free port). */
  @Transform(toInt)
  @IsInt({ message: ANY_PORT })
  @Min(0, { message: ANY_PORT })
  @Max(65535, { message: ANY_PORT })
  RUNNER_PORT = 3002;

  /** `json` (one object a line) or `pretty` (for people); unset: pretty at a terminal, else JSON. */
  @IsOptional()
  @Matches(/^(json|pretty)$/, { message: 'LOG_FORMAT must be json or pretty' })
  LOG_FORMAT?: LogFormat;

  /** Where /metrics listens: loopback unless a scraper elsewhere needs it (compose sets 0.0.0.0). */
  @Matches(/^[A-Za-z0-9.:-]+$/, {
    message: 'METRICS_BIND_ADDRESS must be an IP address or a host name, such as 127.0.0.1',
  })
  METRICS_BIND_ADDRESS = '127.0.0.1';

  /**
   * The address the API and the gateway listen on: loopback unless something says otherwise
   * (containers set 0.0.0.0). Not `HOST`: zsh sets that to the machine's name.
   */
  @Matches(/^[A-Za-z0-9.:-]+$/, {
    message: 'BIND_ADDRESS must be an IP address or a host name, such as 0.0.0.0',
  })
  BIND_ADDRESS = '127.0.0.1';

  /** Where the API forwards WebSocket upgrades on /ws (one URL for people); default: this machine's gateway. */
  @IsOptional()
  @Matches(ORIGIN, { message: 'GATEWAY_URL must be an origin such as http://127.0.0.1:3001' })
  GATEWAY_URL?: string;

  // Realtime gateway tuning (docs/protocol.md explains each).
  /** Coalescing: events that follow the previous one within GATEWAY_COALESCE_QUIET_MS are merged for this long. */
  @Transform(toInt)
  @IsInt({ message: 'GATEWAY_COALESCE_MS must be an integer number of milliseconds' })
  @Min(0)
  @Max(10_000)
  GATEWAY_COALESCE_MS = 200;

  /** An event this long after the previous one ends a quiet period and is sent at once. */
  @Transform(toInt)
  @IsInt({ message: 'GATEWAY_COALESCE_QUIET_MS must be an integer number of milliseconds' })
  @Min(0)
  @Max(10_000)
  GATEWAY_COALESCE_QUIET_MS = 25;

  /** ws ping and app heartbeat interval; a socket silent for two intervals is closed (4408). */
  @Transform(toInt)
  @IsInt({ message: 'GATEWAY_HEARTBEAT_MS must be an integer number of milliseconds' })
  @Min(100)
  GATEWAY_HEARTBEAT_MS = 30_000;

  /** A subscriber further behind than this many events gets `resync` instead of a replay. */
  @Transform(toInt)
  @IsInt({ message: 'GATEWAY_MAX_LAG_EVENTS must be an integer' })
  @Min(1)
  GATEWAY_MAX_LAG_EVENTS = 10_000;

  /** Above this many unsent bytes a socket stops getting live frames until it drains. */
  @Transform(toInt)
  @IsInt({ message: 'GATEWAY_MAX_BUFFERED_BYTES must be an integer' })
  @Min(1024)
  GATEWAY_MAX_BUFFERED_BYTES = 1024 * 1024;

  /**
   * Bytes of its latest event frames each session room keeps, to catch sockets up without
   * reading Postgres (the latest frame always stays).
   */
  @Transform(toInt)
  @IsInt({ message: 'GATEWAY_ROOM_HISTORY_BYTES must be an integer' })
  @Min(0)
  GATEWAY_ROOM_HISTORY_BYTES = 4 * 1024 * 1024;

  /** Client messages allowed per socket per 10 s; more closes the socket with 4429. */
  @Transform(toInt)
  @IsInt({ message: 'GATEWAY_RATE_LIMIT must be an integer' })
  @Min(1)
  GATEWAY_RATE_LIMIT = 100;

  /** How often rooms compare their seq with Postgres, in case a publish was lost. */
  @Transform(toInt)
  @IsInt({ message: 'GATEWAY_AUDIT_MS must be an integer number of milliseconds' })
  @Min(100)
  GATEWAY_AUDIT_MS = 5_000;

  /** The origin people open (the app's own URL); always allowed by CORS. */
  @IsOptional()
  @Matches(ORIGIN, { message: 'PUBLIC_URL must be an origin such as http://localhost:3000' })
  PUBLIC_URL?: string;

  /** Extra allowed browser origins, comma-separated (the Vite dev server by default). */
  @IsString()
  @Matches(/^(https?:\/\/[^/\s,]+)(,\s*https?:\/\/[^/\s,]+)*$/, {
    message: 'CORS_ORIGINS must be a comma-separated list of origins such as http://localhost:5173',
  })
  CORS_ORIGINS = 'http://localhost:5173';

  // ── Identity and access (docs/contract.md, "Identity and access") ──────────────────────
  /** An admin API key from the environment (at least 32 characters); unset: keys live only in Postgres. */
  @IsOptional()
  @Matches(/^\S{32,}$/, { message: 'BUILDCAST_ADMIN_KEY must be at least 32 characters with no spaces' })
  BUILDCAST_ADMIN_KEY?: string;

  /** Signs subscription tokens; unset: a random secret kept in Postgres, shared by every replica. */
  @IsOptional()
  @Matches(/^\S{32,}$/, { message: 'BUILDCAST_TOKEN_SECRET must be at least 32 characters with no spaces' })
  BUILDCAST_TOKEN_SECRET?: string;

  /** Lifetime of a WebSocket subscription token (POST /api/projects/:id/tokens). */
  @Transform(toInt)
  @IsInt({ message: 'TOKEN_TTL_SECONDS must be an integer number of seconds' })
  @Min(2)
  @Max(86_400)
  TOKEN_TTL_SECONDS = 600;

  /** Lifetime of the web app's sign-in (its session cookie). */
  @Transform(toInt)
  @IsInt({ message: 'WEB_SESSION_HOURS must be an integer number of hours' })
  @Min(1)
  @Max(24 * 365)
  WEB_SESSION_HOURS = 7 * 24;

  @Transform(toInt)
  @IsInt({ message: 'WORKER_CONCURRENCY must be an integer' })
  @Min(1)
  @Max(256)
  WORKER_CONCURRENCY = 4;

  /** Replays and demos one runner-worker runs at once: cheap loops, not processes. */
  @Transform(toInt)
  @IsInt({ message: 'REPLAY_CONCURRENCY must be an integer' })
  @Min(1)
  @Max(10_000)
  REPLAY_CONCURRENCY = 500;

  @Transform(toInt)
  @IsInt({ message: 'MAX_BODY_BYTES must be an integer' })
  @Min(1024)
  MAX_BODY_BYTES = 10 * 1024 * 1024;

  /** Snapshot tool-call outputs are previews of at most this many characters (0: the whole stored output). */
  @Transform(toInt)
  @IsInt({ message: 'SNAPSHOT_PREVIEW_CHARS must be an integer' })
  @Min(0)
  SNAPSHOT_PREVIEW_CHARS = 2048;

  /** Memory each API process keeps built (and compressed) snapshots in (0: none). */
  @Transform(toInt)
  @IsInt({ message: 'SNAPSHOT_CACHE_BYTES must be an integer' })
  @Min(0)
  SNAPSHOT_CACHE_BYTES = 64 * 1024 * 1024;

  /**
   * A cached snapshot of a running session is brought up to date by folding the events since
   * its seq when there are at most this many; more (or 0) build it again from Postgres.
   */
  @Transform(toInt)
  @IsInt({ message: 'SNAPSHOT_FOLD_MAX_EVENTS must be an integer' })
  @Min(0)
  SNAPSHOT_FOLD_MAX_EVENTS = 1000;

  @Transform(toInt)
  @IsInt({ message: 'DATABASE_POOL_SIZE must be an integer' })
  @Min(1)
  @Max(200)
  DATABASE_POOL_SIZE = 10;

  // ── Abuse limits (docs/protocol.md "Limits"); counted in Redis, shared by every replica ──
  /** Requests per minute per credential (Bearer value or session cookie), over all REST routes. */
  @Transform(toInt)
  @IsInt({ message: 'RATE_LIMIT_PER_MINUTE must be an integer' })
  @Min(1)
  RATE_LIMIT_PER_MINUTE = 600;

  /** Requests per minute per client IP address, over all REST routes. */
  @Transform(toInt)
  @IsInt({ message: 'RATE_LIMIT_IP_PER_MINUTE must be an integer' })
  @Min(1)
  RATE_LIMIT_IP_PER_MINUTE = 1200;

  /** Builds a credential may start per minute. */
  @Transform(toInt)
  @IsInt({ message: 'BUILD_STARTS_PER_MINUTE must be an integer' })
  @Min(1)
  BUILD_STARTS_PER_MINUTE = 60;

  /** Long-polls (`events?waitMs=`) one credential may have waiting at once. */
  @Transform(toInt)
  @IsInt({ message: 'LONG_POLLS_PER_KEY must be an integer' })
  @Min(1)
  LONG_POLLS_PER_KEY = 20;

  /** WebSocket connections per client IP address, over all gateway replicas (more → 4429). */
  @Transform(toInt)
  @IsInt({ message: 'GATEWAY_CONNECTIONS_PER_IP must be an integer' })
  @Min(1)
  GATEWAY_CONNECTIONS_PER_IP = 200;

  /** Lines a replay's transcript may have (more → 413). */
  @Transform(toInt)
  @IsInt({ message: 'TRANSCRIPT_MAX_LINES must be an integer' })
  @Min(1)
  TRANSCRIPT_MAX_LINES = 200_000;

  /**
   * Proxies whose X-Forwarded-For is believed (the API's `request.ip`, the gateway's client
   * address): `loopback`, addresses and CIDR ranges, comma-separated. Anyone else is the client.
   */
  @Matches(/^(loopback|[0-9A-Fa-f.:]+(\/\d{1,3})?)(,\s*(loopback|[0-9A-Fa-f.:]+(\/\d{1,3})?))*$/, {
    message: 'TRUSTED_PROXIES must be a comma-separated list of `loopback`, IP addresses and CIDR ranges',
  })
  TRUSTED_PROXIES = 'loopback';

  /** Static files of the web app, served by the API at / (relative to the working directory). */
  @IsString()
  WEB_ROOT = 'dist/web';

  /** BullMQ key prefix; tests give each run its own. */
  @Matches(/^[A-Za-z0-9_-]+$/, { message: 'QUEUE_PREFIX may hold letters, digits, _ and -' })
  QUEUE_PREFIX = 'bull';

  // ── Runner-worker: live agents, cancellation, crash recovery, output limits ──────────
  /**
   * The live agents this stack may run, comma-separated; empty (the default) runs none:
   * a live agent executes a CLI on the worker's machine, so it is an explicit decision.
   */
  @Matches(new RegExp(`^\\s*((${LIVE_AGENT})\\s*(,\\s*(${LIVE_AGENT})\\s*)*)?$`), {
    message: `LIVE_AGENTS must be a comma-separated list of live agents: ${LIVE_AGENT_NAMES.join(', ')}`,
  })
  LIVE_AGENTS = '';

  /** Executables of the live agents: a name looked up on PATH, or a path. */
  @IsString()
  @IsNotEmpty()
  CLAUDE_BIN = 'claude';

  /** Extra arguments, split on whitespace (e.g. `--permission-mode acceptEdits`). */
  @IsString()
  CLAUDE_ARGS = '';

  /** Model when the request names none (else the CLI's own default). */
  @IsOptional()
  @IsString()
  CLAUDE_MODEL?: string;

  @IsString()
  @IsNotEmpty()
  CODEX_BIN = 'codex';

  /** The per-build directory is not a git repository, which `codex exec` refuses without this. */
  @IsString()
  CODEX_ARGS = '--skip-git-repo-check';

  @IsOptional()
  @IsString()
  CODEX_MODEL?: string;

  /** The `command` agent: an executable printing buildcast-ndjson; unset = agent disabled. */
  @IsOptional()
  @IsString()
  COMMAND_BIN?: string;

  @IsString()
  COMMAND_ARGS = '';

  /** Live agents run in `<AGENT_WORK_ROOT>/<sessionId>` (default: buildcast-builds in the OS temp dir). */
  @IsOptional()
  @IsString()
  AGENT_WORK_ROOT?: string;

  /** Build directories under AGENT_WORK_ROOT are deleted this long after they last changed. */
  @Transform(toInt)
  @Min(1)
  @IsInt({ message: 'AGENT_WORK_RETENTION_HOURS must be an integer number of hours' })
  AGENT_WORK_RETENTION_HOURS = 7 * 24;

  /** How much of an agent's stderr is kept for the error of a failed build. */
  @Transform(toInt)
  @Min(256)
  @Max(1024 * 1024)
  @IsInt({ message: 'AGENT_STDERR_TAIL_BYTES must be an integer' })
  AGENT_STDERR_TAIL_BYTES = 8192;

  /** SIGTERM to the agent's process group, then SIGKILL after this long. */
  @Transform(toInt)
  @Min(0)
  @Max(600_000)
  @IsInt({ message: 'CANCEL_GRACE_MS must be an integer' })
  CANCEL_GRACE_MS = 5000;

  /** A build whose worker died is finished `interrupted` within this long (lease + sweep). */
  @Transform(toInt)
  @Min(600)
  @Max(3_600_000)
  @IsInt({ message: 'INTERRUPT_AFTER_MS must be an integer' })
  INTERRUPT_AFTER_MS = 30_000;

  /** Tool outputs longer than this (UTF-8 bytes) are shortened in events; the full text stays retrievable. */
  @Transform(toInt)
  @Min(256)
  @Max(16 * 1024 * 1024)
  @IsInt({ message: 'TOOL_OUTPUT_MAX_BYTES must be an integer' })
  TOOL_OUTPUT_MAX_BYTES = 64 * 1024;

  /** A replay whose pacing (lines × eventIntervalMs) would take longer is refused at start (400). */
  @Transform(toInt)
  @Min(1000)
  @IsInt({ message: 'REPLAY_MAX_MS must be an integer number of milliseconds' })
  REPLAY_MAX_MS = 3_600_000;

  /** Any build still running this long after it started is stopped and ends `interrupted`. */
  @Transform(toInt)
  @Min(1000)
  @IsInt({ message: 'BUILD_MAX_MS must be an integer number of milliseconds' })
  BUILD_MAX_MS = 4 * 3_600_000;

  /** Where agent executables given by name are looked up (the process's own PATH). */
  @IsOptional()
  @IsString()
  PATH?: string;

  /**
   * The environment variables live agents get (names, `PREFIX_*` for a prefix), nothing else:
   * an agent must not see the worker's database or Redis credentials.
   */
  @Matches(/^[A-Za-z_][A-Za-z0-9_]*\*?(,\s*[A-Za-z_][A-Za-z0-9_]*\*?)*$/, {
    message: 'AGENT_ENV must be a comma-separated list of variable names (NAME or PREFIX_*)',
  })
  AGENT_ENV = DEFAULT_AGENT_ENV;
}

export interface GatewayConfig {
  readonly coalesceMs: number;
  readonly coalesceQuietMs: number;
  readonly heartbeatMs: number;
  readonly maxLagEvents: number;
  readonly maxBufferedBytes: number;
  readonly roomHistoryBytes: number;
  readonly rateLimitPer10s: number;
  readonly auditMs: number;
  readonly connectionsPerIp: number;
}

/** Abuse limits (docs/protocol.md "Limits"). */
export interface LimitsConfig {
  readonly perKeyPerMinute: number;
  readonly perIpPerMinute: number;
  readonly buildStartsPerMinute: number;
  readonly longPollsPerKey: number;
  readonly transcriptMaxLines: number;
  /** TRUSTED_PROXIES as given (Express's `trust proxy` takes the same list). */
  readonly trustedProxies: readonly string[];
}

export interface IdentityConfig {
  readonly adminKey: string | null;
  readonly tokenSecret: string | null;
  readonly tokenTtlSeconds: number;
  readonly webSessionMs: number;
}

/** Typed configuration, validated once at start-up. Nothing else reads process.env. */
export class AppConfig {
  readonly databaseUrl: string;
  readonly redisUrl: string;
  /** What carries announcements and the build queue (see docs/contract.md, "Embedded mode"). */
  readonly transport: Transport;
  readonly apiPort: number;
  readonly gatewayPort: number;
  readonly bindAddress: string;
  readonly metricsPort: number;
  readonly metricsBindAddress: string;
  readonly apiMetricsPort: number;
  readonly runnerPort: number;
  /** LOG_FORMAT; null: pretty when stdout is a terminal, else JSON. */
  readonly logFormat: LogFormat | null;
  readonly gatewayUrl: string;
  readonly gateway: GatewayConfig;
  readonly limits: LimitsConfig;
  readonly publicUrl: string;
  /** Whether PUBLIC_URL was given (else the app is on loopback: see libs/identity origins.ts). */
  readonly publicUrlIsSet: boolean;
  readonly corsOrigins: readonly string[];
  readonly identity: IdentityConfig;
  /** Live agents (processes) one runner-worker runs at once. */
  readonly workerConcurrency: number;
  /** Replays and demos one runner-worker runs at once. */
  readonly replayConcurrency: number;
  readonly maxBodyBytes: number;
  readonly snapshots: SnapshotConfig;
  readonly databasePoolSize: number;
  readonly queuePrefix: string;
  readonly webRoot: string;

  // ── Runner-worker: live agents, cancellation, crash recovery, output limits ──────────
  readonly agents: Readonly<Record<LiveAgentName, AgentCommandConfig>>;
  readonly agentWorkRoot: string;
  readonly agentWorkRetentionMs: number;
  readonly agentStderrTailBytes: number;
  readonly cancelGraceMs: number;
  readonly interruptAfterMs: number;
  readonly toolOutputMaxBytes: number;
  readonly replayMaxMs: number;
  readonly buildMaxMs: number;
  readonly searchPath: string;
  /** The environment live agents run with (AGENT_ENV picks it from the worker's). */
  readonly agentEnvironment: Readonly<Record<string, string>>;

  constructor(env: Environment, agentEnvironment: Record<string, string> = {}) {
    this.agentEnvironment = agentEnvironment;
    this.databaseUrl = env.DATABASE_URL;
    this.redisUrl = env.REDIS_URL;
    this.transport = env.BUILDCAST_TRANSPORT ?? (env.BUILDCAST_EMBEDDED === '1' ? 'postgres' : 'redis');
    this.apiPort = env.API_PORT;
    this.gatewayPort = env.GATEWAY_PORT;
    this.bindAddress = env.BIND_ADDRESS;
    this.metricsPort = env.METRICS_PORT;
    this.metricsBindAddress = env.METRICS_BIND_ADDRESS;
    this.apiMetricsPort = env.API_METRICS_PORT;
    this.runnerPort = env.RUNNER_PORT;
    this.logFormat = env.LOG_FORMAT ?? null;
    this.gatewayUrl = env.GATEWAY_URL ?? `http://127.0.0.1:${env.GATEWAY_PORT}`;
    this.gateway = {
      coalesceMs: env.GATEWAY_COALESCE_MS,
      coalesceQuietMs: env.GATEWAY_COALESCE_QUIET_MS,
      heartbeatMs: env.GATEWAY_HEARTBEAT_MS,
      maxLagEvents: env.GATEWAY_MAX_LAG_EVENTS,
      maxBufferedBytes: env.GATEWAY_MAX_BUFFERED_BYTES,
      roomHistoryBytes: env.GATEWAY_ROOM_HISTORY_BYTES,
      rateLimitPer10s: env.GATEWAY_RATE_LIMIT,
      auditMs: env.GATEWAY_AUDIT_MS,
      connectionsPerIp: env.GATEWAY_CONNECTIONS_PER_IP,
    };
    this.limits = {
      perKeyPerMinute: env.RATE_LIMIT_PER_MINUTE,
      perIpPerMinute: env.RATE_LIMIT_IP_PER_MINUTE,
      buildStartsPerMinute: env.BUILD_STARTS_PER_MINUTE,
      longPollsPerKey: env.LONG_POLLS_PER_KEY,
      transcriptMaxLines: env.TRANSCRIPT_MAX_LINES,
      trustedProxies: env.TRUSTED_PROXIES.split(',').map((entry) => entry.trim()),
    };
    this.publicUrl = env.PUBLIC_URL ?? `http://localhost:${env.API_PORT}`;
    this.publicUrlIsSet = env.PUBLIC_URL !== undefined;
    this.identity = {
      adminKey: env.BUILDCAST_ADMIN_KEY ?? null,
      tokenSecret: env.BUILDCAST_TOKEN_SECRET ?? null,
      tokenTtlSeconds: env.TOKEN_TTL_SECONDS,
      webSessionMs: env.WEB_SESSION_HOURS * 3_600_000,
    };
    const origins = env.CORS_ORIGINS.split(',').map((origin) => origin.trim());
    this.corsOrigins = [...new Set([this.publicUrl, ...origins])];
    this.workerConcurrency = env.WORKER_CONCURRENCY;
    this.replayConcurrency = env.REPLAY_CONCURRENCY;
    this.maxBodyBytes = env.MAX_BODY_BYTES;
    this.snapshots = {
      outputPreviewChars: env.SNAPSHOT_PREVIEW_CHARS,
      cacheBytes: env.SNAPSHOT_CACHE_BYTES,
      foldMaxEvents: env.SNAPSHOT_FOLD_MAX_EVENTS,
    };
    this.databasePoolSize = env.DATABASE_POOL_SIZE;
    this.queuePrefix = env.QUEUE_PREFIX;
    this.webRoot = env.WEB_ROOT;

    // ── Runner-worker: live agents, cancellation, crash recovery, output limits ──────
    const enabled = new Set(words(env.LIVE_AGENTS.replaceAll(',', ' ')));
    this.agents = {
      'claude-code': {
        enabled: enabled.has('claude-code'),
        variable: 'CLAUDE_BIN',
        bin: env.CLAUDE_BIN,
        args: words(env.CLAUDE_ARGS),
        model: env.CLAUDE_MODEL ?? null,
      },
      codex: {
        enabled: enabled.has('codex'),
        variable: 'CODEX_BIN',
        bin: env.CODEX_BIN,
        args: words(env.CODEX_ARGS),
        model: env.CODEX_MODEL ?? null,
      },
      command: {
        enabled: enabled.has('command'),
        variable: 'COMMAND_BIN',
        bin: env.COMMAND_BIN ?? null,
        args: words(env.COMMAND_ARGS),
        model: null,
      },
    };
    this.agentWorkRoot = env.AGENT_WORK_ROOT ?? path.join(os.tmpdir(), 'buildcast-builds');
    this.agentWorkRetentionMs = env.AGENT_WORK_RETENTION_HOURS * 3_600_000;
    this.agentStderrTailBytes = env.AGENT_STDERR_TAIL_BYTES;
    this.cancelGraceMs = env.CANCEL_GRACE_MS;
    this.interruptAfterMs = env.INTERRUPT_AFTER_MS;
    this.toolOutputMaxBytes = env.TOOL_OUTPUT_MAX_BYTES;
    this.replayMaxMs = env.REPLAY_MAX_MS;
    this.buildMaxMs = env.BUILD_MAX_MS;
    this.searchPath = env.PATH ?? '';
  }
}

/** How the API serves snapshots (see docs/architecture.md, "Snapshots over HTTP"). */
export interface SnapshotConfig {
  /** 0: outputs as stored (up to TOOL_OUTPUT_MAX_BYTES). */
  outputPreviewChars: number;
  /** 0: no cache. */
  cacheBytes: number;
  /** 0: a new seq is always a new build. */
  foldMaxEvents: number;
}

/** How a live agent is started; `bin` null means the agent is not configured. */
export interface AgentCommandConfig {
  /** Named in LIVE_AGENTS: without it the API refuses the agent and a worker never starts it. */
  enabled: boolean;
  /** The variable that names the executable, for error messages. */
  variable: string;
  bin: string | null;
  args: readonly string[];
  model: string | null;
}

function words(value: string): string[] {
  return value.split(/\s+/).filter((word) => word !== '');
}

export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

/** Reads and validates the environment; throws one error naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const known = Object.keys(new Environment());
  const given = Object.fromEntries(
    Object.entries(env).filter(([key, value]) => known.includes(key) && value !== undefined && value !== ''),
  );
  const parsed = plainToInstance(Environment, given, { exposeDefaultValues: true });
  const errors = validateSync(parsed, { stopAtFirstError: true });
  if (errors.length > 0) {
    const lines = errors.map((error) => {
      const messages = Object.values(error.constraints ?? {}).join('; ');
      return `  ${error.property}=${JSON.stringify(env[error.property])}: ${messages}`;
    });
    throw new ConfigurationError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return new AppConfig(parsed, pickAgentEnvironment(parsed.AGENT_ENV, env));
}
