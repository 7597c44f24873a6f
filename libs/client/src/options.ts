import type { GetToken } from './credential.js';

/**
 * An event handler property checked like a method (bivariantly): the browser's WebSocket and
 * `ws`'s hand their handlers richer events than the client reads, and should fit as they are.
 */
type Handler<E> = { bivarianceHack(event: E): void }['bivarianceHack'];

/** The parts of the browser's WebSocket the client uses (the `ws` package has them too). */
export interface WebSocketLike {
  readonly readyState: number;
  onopen: Handler<unknown> | null;
  onmessage: Handler<{ data: unknown }> | null;
  onclose: Handler<{ code: number; reason: string }> | null;
  onerror: Handler<unknown> | null;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}
export type WebSocketFactory = new (url: string) => WebSocketLike;

export interface ClientOptions {
  /** Origin of the REST API (`/api` is appended). Default: the page's own origin. */
  baseUrl?: string;
  /** Full URL of the WebSocket endpoint. Default: the page's origin with ws:/wss: and `/ws`. */
  wsUrl?: string;
  /** Default: the global WebSocket (browsers, Node ≥ 22); pass `ws`'s WebSocket on Node 20. */
  WebSocket?: WebSocketFactory;
  fetch?: typeof fetch;
  /**
   * Asked for a credential for each watch's target (a build watch: its project and session;
   * a project watch: its project) before it connects, again before the credential's
   * `expiresAt` (renewed in place with an `auth` message), and after the server closed the
   * socket with 4401. It is sent as `Authorization: Bearer` on REST and as the socket's first
   * message. Rejecting with an HttpError 401/403 means signed out (status `signed-out`).
   * Without it, a browser's same-origin cookie authenticates REST and the socket.
   */
  getToken?: GetToken;
  /** Reconnect backoff: full jitter, the cap doubling from minBackoffMs up to maxBackoffMs. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Failed WebSocket attempts before REST long-polling takes over (the socket keeps retrying). */
  failuresBeforePolling?: number;
  /**
   * The server's heartbeat interval until it announces its own (`heartbeat.intervalMs`,
   * `subscribed.heartbeatMs`); silence for two of them means the server is gone.
   */
  heartbeatMs?: number;
  /** After this long without a frame the client sends `ping`; 0 turns client pings off. */
  pingIntervalMs?: number;
  /** A ping with nothing back within this long means the server is gone (reconnect, resume). */
  pongTimeoutMs?: number;
  /** `waitMs` of each long-poll. */
  pollWaitMs?: number;
  random?: () => number;
}

export type ResolvedOptions = Required<Omit<ClientOptions, 'baseUrl' | 'wsUrl' | 'getToken'>> & {
  apiUrl: string;
  wsUrl: string;
  getToken: GetToken | undefined;
};

interface PageGlobals {
  location?: { protocol: string; host: string; origin: string };
  WebSocket?: WebSocketFactory;
}

/** Fills in every default once, from the page's location where there is one. */
export function resolveOptions(options: ClientOptions = {}): ResolvedOptions {
  const page = globalThis as PageGlobals;
  const origin = options.baseUrl ?? page.location?.origin;
  if (!origin) throw new Error('baseUrl is required outside a browser page');
  const wsUrl =
    options.wsUrl ??
    (page.location && !options.baseUrl
      ? `${page.location.protocol === 'https:' ? 'wss:' : 'ws:'}//${page.location.host}/ws`
      : `${origin.replace(/^http/, 'ws')}/ws`);
  const WebSocket = options.WebSocket ?? page.WebSocket;
  if (!WebSocket)
    throw new Error('No WebSocket implementation: pass options.WebSocket (for example from "ws")');
  return {
    apiUrl: `${origin.replace(/\/$/, '')}/api`,
    wsUrl,
    WebSocket,
    fetch: options.fetch ?? globalThis.fetch.bind(globalThis),
    getToken: options.getToken,
    minBackoffMs: options.minBackoffMs ?? 1_000,
    maxBackoffMs: options.maxBackoffMs ?? 30_000,
    failuresBeforePolling: options.failuresBeforePolling ?? 10,
    heartbeatMs: options.heartbeatMs ?? 30_000,
    pingIntervalMs: options.pingIntervalMs ?? 10_000,
    pongTimeoutMs: options.pongTimeoutMs ?? 5_000,
    pollWaitMs: options.pollWaitMs ?? 25_000,
    random: options.random ?? Math.random,
  };
}

/** Full jitter: a random delay between 0 and min(max, min · 2^(attempt-1)). */
export function backoffDelay(
  attempt: number,
  options: Pick<ResolvedOptions, 'minBackoffMs' | 'maxBackoffMs' | 'random'>,
): number {
  const cap = Math.min(options.maxBackoffMs, options.minBackoffMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(options.random() * cap);
}
