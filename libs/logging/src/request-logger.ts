import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger as Pino } from 'pino';
import { pinoHttp } from 'pino-http';

export interface RequestLoggerOptions {
  /** Fields a finished request's line adds (the API: the key id identity resolved). */
  fields?: (request: IncomingMessage) => Record<string, unknown>;
  /** Requests not worth a line (health probes every few seconds). */
  skip?: (request: IncomingMessage) => boolean;
}

/**
 * pino-http's one line per request, on the app's logger: method, path (never the query: it may
 * carry a token), status and time. Headers are left out on purpose (they carry credentials).
 */
export function requestLogger(logger: Pino, options: RequestLoggerOptions = {}) {
  return pinoHttp({
    logger,
    // Every status at info: the status is in the line, failures are logged where they happen.
    customLogLevel: () => 'info',
    autoLogging: options.skip ? { ignore: options.skip } : true,
    serializers: {
      req: (request: { method: string; url: string }) => ({
        method: request.method,
        path: pathOf(request.url),
      }),
      res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
    },
    customProps: (request) => options.fields?.(request) ?? {},
    customSuccessMessage: (request, response, ms) => requestLine(request, response, ms),
    customErrorMessage: (request, response) => requestLine(request, response),
  });
}

function requestLine(request: IncomingMessage, response: ServerResponse, ms?: number): string {
  const url = (request as IncomingMessage & { originalUrl?: string }).originalUrl ?? request.url;
  const took = ms === undefined ? '' : ` ${ms} ms`;
  return `${request.method} ${pathOf(url)} ${response.statusCode}${took}`;
}

/** The path without the query string. */
export function pathOf(url: string | undefined): string {
  return (url ?? '/').split('?', 1)[0];
}
