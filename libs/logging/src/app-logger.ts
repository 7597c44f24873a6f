import { createRequire } from 'node:module';
import os from 'node:os';
import type { LoggerService, LogLevel } from '@nestjs/common';
import { pino, type DestinationStream, type Level, type Logger as Pino } from 'pino';
import type { PrettyOptions } from 'pino-pretty';
import { chooseLogFormat, type LogFormat } from './log-format.js';
import { toPinoCall } from './nest-log-call.js';

/** Nest's levels as pino names them. */
const PINO_LEVELS: Record<LogLevel, Level> = {
  fatal: 'fatal',
  error: 'error',
  warn: 'warn',
  log: 'info',
  debug: 'debug',
  verbose: 'trace',
};
const BY_SEVERITY: LogLevel[] = ['verbose', 'debug', 'log', 'warn', 'error', 'fatal'];

/** What an app's apps/…/create-*.ts passes today: every level but debug and verbose. */
export const DEFAULT_LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'log'];

export interface AppLoggerOptions {
  /** Every line's `app` field: `api`, `gateway`, `runner`. */
  app: string;
  /** LOG_FORMAT; null: pretty at a terminal, JSON otherwise. */
  format: LogFormat | null;
  /** Nest's levels (tests pass only `error` and `warn`). */
  levels?: LogLevel[];
  /** Where lines go (default: stdout); tests pass a stream to read them. */
  destination?: DestinationStream;
}

/**
 * One pino logger per app, and Nest's LoggerService over it (`NestFactory.create(…, { logger })`),
 * so Nest's own lines, the apps' `new Logger(Context)` lines and pino-http's request lines come
 * out alike. Writes are synchronous: the last lines before `process.exit` are not lost.
 */
export class AppLogger implements LoggerService {
  readonly pino: Pino;
  readonly format: LogFormat;
  private enabled: ReadonlySet<LogLevel>;

  constructor(options: AppLoggerOptions) {
    const levels = options.levels ?? DEFAULT_LOG_LEVELS;
    this.enabled = new Set(levels);
    this.format = chooseLogFormat(options.format, Boolean(process.stdout.isTTY));
    this.pino = pino(
      {
        base: { app: options.app, pid: process.pid, hostname: os.hostname() },
        level: lowestPinoLevel(levels),
        timestamp: pino.stdTimeFunctions.isoTime,
        // Level names, not numbers: a person reading raw JSON (`docker logs`) knows `warn`.
        formatters: { level: (label) => ({ level: label }) },
      },
      this.format === 'pretty'
        ? prettyStream(options.destination)
        : (options.destination ?? pino.destination({ dest: 1, sync: true })),
    );
  }

  log(message: unknown, ...params: unknown[]): void {
    this.write('log', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('verbose', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  setLogLevels(levels: LogLevel[]): void {
    this.enabled = new Set(levels);
    this.pino.level = lowestPinoLevel(levels);
  }

  private write(level: LogLevel, message: unknown, params: unknown[]): void {
    if (!this.enabled.has(level)) return;
    const { fields, msg } = toPinoCall(message, params);
    this.pino[PINO_LEVELS[level]](fields, msg);
  }
}

/** pino filters by threshold, Nest by set: the threshold is the least severe level enabled. */
function lowestPinoLevel(levels: readonly LogLevel[]): Level | 'silent' {
  const lowest = BY_SEVERITY.find((level) => levels.includes(level));
  return lowest === undefined ? 'silent' : PINO_LEVELS[lowest];
}

/** `12:00:01.234 INFO runner [BuildRunner] Build … ended {"projectId":…}`: one line, in this process. */
function prettyStream(destination: DestinationStream | undefined): DestinationStream {
  // Loaded only when used: JSON (containers, collectors) starts without it.
  const pretty = createRequire(import.meta.url)('pino-pretty') as (
    options: PrettyOptions,
  ) => DestinationStream;
  return pretty({
    destination: destination ?? 1,
    sync: true,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname,app,context,req,res,responseTime',
    messageFormat: (log, messageKey) =>
      [log.app, typeof log.context === 'string' ? `[${log.context}]` : undefined, log[messageKey]]
        .filter((part) => part !== undefined && part !== '')
        .join(' '),
  });
}
