import { CloseCode } from '#contracts';

/**
 * What counts as a clear answer to fuzzed input. `null` means allowed; a string says what is
 * wrong. Kept pure so the rules themselves are tested (outcomes.spec.ts).
 */

/** The close codes of the contract, plus the ones `ws` itself sends (1007 not UTF-8, 1009 over 1 MiB). */
export const ALLOWED_CLOSE_CODES: ReadonlySet<number> = new Set([
  ...Object.values(CloseCode).filter((code) => code !== CloseCode.serviceRestart),
  1007,
  1009,
]);

/** The gateway's guard closes with this when a handler threw: a bug hidden behind a 4400. */
export const GUARD_REASON = 'the gateway could not handle this request';

/**
 * Messages that answer one client input (every frame that does not close the socket gets
 * exactly one; `authenticated` answers `auth` and a credential at connect).
 */
export const REPLY_TYPES: ReadonlySet<string> = new Set([
  'pong',
  'subscribed',
  'unsubscribed',
  'resync',
  'error',
  'authenticated',
]);
/** Messages that come on their own once subscribed. */
export const PUSHED_TYPES: ReadonlySet<string> = new Set(['events', 'session', 'heartbeat']);
/** `error` codes a client's input may cause; `unavailable` means a handler failed. */
const CLIENT_ERROR_CODES: ReadonlySet<string> = new Set([
  'bad_request',
  'not_found',
  'forbidden',
  'unauthorized',
]);

/**
 * An HTTP answer: a 2xx with JSON (or nothing), or a 4xx in Nest's error shape naming its
 * status. `api` false: the request's path left /api (`/api/%2e%2e/x` is `/x`), so the web
 * app's static files and pages answered, and only the status is judged.
 */
export function judgeHttp(status: number, body: string, api = true): string | null {
  if (status >= 500) return `5xx: ${status} ${body.slice(0, 300)}`;
  if (!api)
    return status >= 200 && status < 500 && (status < 300 || status >= 400)
      ? null
      : `unexpected status ${status}`;
  if (status >= 200 && status < 300) {
    if (body === '') return null;
    return parses(body) ? null : `2xx without a JSON body: ${body.slice(0, 100)}`;
  }
  if (status < 400) return `unexpected status ${status}`;
  const value = parses(body) ? (JSON.parse(body) as unknown) : undefined;
  if (typeof value !== 'object' || value === null)
    return `${status} without a JSON body: ${body.slice(0, 100)}`;
  const { statusCode, error, message } = value as Record<string, unknown>;
  const messageOk =
    typeof message === 'string' ||
    (Array.isArray(message) && message.every((item) => typeof item === 'string'));
  if (statusCode !== status || typeof error !== 'string' || !messageOk) {
    return `${status} not in the error shape {statusCode,error,message}: ${body.slice(0, 200)}`;
  }
  return null;
}

export function judgeClose(code: number, reason: string): string | null {
  if (!ALLOWED_CLOSE_CODES.has(code)) return `close ${code} is not a contract code (${reason})`;
  if (reason === GUARD_REASON) return `a handler threw (close ${code} "${reason}")`;
  return null;
}

/** A server message: a known type, and for `error` a code input can cause. */
export function judgeMessage(message: unknown): string | null {
  if (typeof message !== 'object' || message === null) return `not a message: ${String(message)}`;
  const { type, code } = message as { type?: unknown; code?: unknown };
  if (typeof type !== 'string' || (!REPLY_TYPES.has(type) && !PUSHED_TYPES.has(type))) {
    return `unknown message type ${JSON.stringify(type)}`;
  }
  if (type === 'error' && (typeof code !== 'string' || !CLIENT_ERROR_CODES.has(code))) {
    return `error ${JSON.stringify(code)}: ${JSON.stringify(message).slice(0, 200)}`;
  }
  return null;
}

/** How an outcome is counted in the summary: the status, the reply type (with its code), or the close code. */
export function replyLabel(message: { type: string; code?: string }): string {
  return message.type === 'error' ? `error ${message.code}` : message.type;
}

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
