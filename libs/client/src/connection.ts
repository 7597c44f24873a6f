import { CloseCode, type ServerMessage } from '#contracts';
import { HttpError } from './http.js';
import { announcedHeartbeatMs, nextLivenessStep, type LivenessState } from './liveness.js';
import { backoffDelay, type ResolvedOptions, type WebSocketLike } from './options.js';
import { sleep } from './sleep.js';

export type ConnectionStatus = 'connecting' | 'live' | 'reconnecting' | 'polling' | 'offline' | 'error';

/** What a watch plugs into the connection policy. */
export interface ConnectionHandlers {
  /** Reads the REST state (snapshot or list); runs before a socket opens when `needsHydration`. */
  hydrate(signal: AbortSignal): Promise<void>;
  /** The socket URL for the next attempt (it carries the current cursor). */
  socketUrl(): string;
  onMessage(message: ServerMessage): void;
  /** One REST long-poll round while the socket is down. */
  poll(signal: AbortSignal): Promise<void>;
}

/** Close codes after which retrying the same request cannot help. */
const FATAL_CLOSE_CODES: ReadonlySet<number> = new Set([
  CloseCode.badRequest,
  CloseCode.unauthorized,
  CloseCode.forbidden,
  CloseCode.messageTooLarge,
]);

/** A 4xx that asking again cannot change (a bad or unknown id), unlike 408 or 429. */
function isRefusal(status: number): boolean {
  return status >= 400 && status < 500 && status !== 408 && status !== 429;
}

interface BrowserGlobals {
  navigator?: { onLine?: boolean };
  addEventListener?: (type: string, listener: () => void) => void;
  removeEventListener?: (type: string, listener: () => void) => void;
}

/**
 * The connection policy, shared by build and project watches: hydrate, open the socket, and
 * keep it open. Backoff with full jitter between attempts; after `failuresBeforePolling`
 * failed attempts, REST long-polling carries the updates while the socket keeps retrying in
 * the background; close 1012 reconnects at once; a server that stops answering (no pong to
 * the client's ping, or two silent heartbeat intervals) is dropped and the socket resumes
 * from the cursor. The status says which of these is happening.
 */
export class Connection {
  status: ConnectionStatus = 'connecting';
  error: string | null = null;
  needsHydration = true;
  private socket: WebSocketLike | undefined;
  private failures = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private livenessTimer: ReturnType<typeof setTimeout> | undefined;
  private liveness: LivenessState | undefined;
  private polling: AbortController | undefined;
  private hydrating: AbortController | undefined;
  private stopped = false;
  private readonly page = globalThis as BrowserGlobals;

  constructor(
    private readonly options: ResolvedOptions,
    private readonly handlers: ConnectionHandlers,
    private readonly onStatus: () => void,
  ) {}

  start(): void {
    this.page.addEventListener?.('online', this.wentOnline);
    this.page.addEventListener?.('offline', this.wentOffline);
    void this.attempt();
  }

  stop(): void {
    this.stopped = true;
    this.page.removeEventListener?.('online', this.wentOnline);
    this.page.removeEventListener?.('offline', this.wentOffline);
    clearTimeout(this.retryTimer);
    this.polling?.abort();
    this.hydrating?.abort();
    this.dropSocket();
  }

  /** Start over now: after `error`, or when a person clicks Retry. */
  retry(): void {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    this.dropSocket();
    this.failures = 0;
    this.error = null;
    this.setStatus('connecting');
    void this.attempt();
  }

  /** Sends a message on the open socket; false when there is none. */
  send(message: object): boolean {
    if (this.socket?.readyState !== 1) return false;
    this.socket.send(JSON.stringify(message));
    return true;
  }

  /** The server told us to start from a fresh snapshot: hydrate, then subscribe again. */
  resync(): void {
    this.needsHydration = true;
    this.dropSocket();
    void this.attempt();
  }

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    if (this.needsHydration) {
      this.hydrating?.abort();
      const controller = (this.hydrating = new AbortController());
      try {
        await this.handlers.hydrate(controller.signal);
        this.needsHydration = false;
      } catch (error) {
        if (controller.signal.aborted || this.stopped) return;
        if (error instanceof HttpError && isRefusal(error.status)) return this.fail(error.message);
        this.error = (error as Error).message;
        return this.scheduleRetry();
      }
    }
    this.open();
  }

  private open(): void {
    if (this.stopped) return;
    this.dropSocket();
    const socket = new this.options.WebSocket(this.handlers.socketUrl());
    this.socket = socket;
    // An upgrade the server never answers counts as an unanswered ping.
    this.liveness = { lastHeardAt: Date.now(), pingSentAt: null, heartbeatMs: this.options.heartbeatMs };
    this.checkLiveness();
    socket.onopen = () => this.heard();
    socket.onmessage = (event) => {
      this.heard();
      let message: ServerMessage;
      try {
        message = JSON.parse(String(event.data)) as ServerMessage;
      } catch {
        return;
      }
      const heartbeatMs = announcedHeartbeatMs(message);
      if (heartbeatMs !== undefined && this.liveness && heartbeatMs !== this.liveness.heartbeatMs) {
        this.liveness.heartbeatMs = heartbeatMs;
        this.checkLiveness(); // the timer may be sleeping for the old bound
      }
      if (message.type === 'subscribed') {
        this.failures = 0;
        this.error = null;
        this.polling?.abort();
        this.polling = undefined;
        this.setStatus('live');
      }
      if (message.type === 'resync') return this.resync();
      this.handlers.onMessage(message);
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socketClosed(event.code, event.reason);
    };
    socket.onerror = () => undefined; // a close event always follows
  }

  private socketClosed(code: number, reason: string): void {
    this.socket = undefined;
    this.stopLiveness();
    if (this.stopped) return;
    if (FATAL_CLOSE_CODES.has(code))
      return this.fail(`The server refused the subscription (${code} ${reason})`);
    if (code === CloseCode.serviceRestart) {
      // The server is restarting on purpose: another instance takes us now.
      this.setStatus('reconnecting');
      void this.attempt();
      return;
    }
    this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    this.failures += 1;
    if (this.failures >= this.options.failuresBeforePolling) this.startPolling();
    else this.setStatus(this.isOffline() ? 'offline' : 'reconnecting');
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => void this.attempt(), backoffDelay(this.failures, this.options));
  }

  /** REST long-polling with the same cursor, until a socket is subscribed again. */
  private startPolling(): void {
    if (this.polling || this.needsHydration) {
      if (!this.polling) this.setStatus(this.isOffline() ? 'offline' : 'reconnecting');
      return;
    }
    const controller = (this.polling = new AbortController());
    this.setStatus(this.isOffline() ? 'offline' : 'polling');
    void (async () => {
      let pollFailures = 0;
      while (!controller.signal.aborted && !this.stopped) {
        try {
          await this.handlers.poll(controller.signal);
          pollFailures = 0;
          if (!controller.signal.aborted) this.setStatus('polling');
        } catch {
          if (controller.signal.aborted) return;
          pollFailures += 1;
          this.setStatus('offline');
          await sleep(backoffDelay(pollFailures, this.options), controller.signal);
        }
      }
    })();
  }

  private heard(): void {
    if (this.liveness) this.liveness.lastHeardAt = Date.now();
  }

  /**
   * Runs the liveness decision (liveness.ts) and sleeps until the next one. A frame does
   * not reset a timer: it only moves `lastHeardAt`, read when the timer fires.
   */
  private checkLiveness(): void {
    clearTimeout(this.livenessTimer);
    const state = this.liveness;
    if (!state) return;
    const step = nextLivenessStep(state, Date.now(), this.options);
    if (step.kind === 'dead') {
      // A frozen peer never completes a close handshake, so do not wait for one.
      const socket = this.socket;
      this.dropSocket();
      if (socket) this.socketClosed(CloseCode.heartbeatTimeout, step.reason);
      return;
    }
    if (step.kind === 'ping') {
      // A socket still connecting cannot carry it: its pending upgrade is the question.
      this.send({ type: 'ping' });
      state.pingSentAt = Date.now();
      return this.checkLiveness();
    }
    this.livenessTimer = setTimeout(() => this.checkLiveness(), step.ms);
  }

  private stopLiveness(): void {
    clearTimeout(this.livenessTimer);
    this.liveness = undefined;
  }

  private dropSocket(): void {
    const socket = this.socket;
    this.socket = undefined;
    this.stopLiveness();
    if (!socket) return;
    socket.onopen = socket.onmessage = socket.onclose = null;
    // Not null: Node's `ws` emits 'error' when a socket still connecting is closed, and an
    // 'error' nobody listens to is thrown (it would end the process the SDK runs in).
    socket.onerror = () => undefined;
    try {
      socket.close(1000, 'client closing');
    } catch {
      // closing a socket that never opened can throw in some implementations
    }
  }

  private fail(message: string): void {
    this.error = message;
    this.polling?.abort();
    this.polling = undefined;
    this.setStatus('error');
  }

  private isOffline(): boolean {
    return this.page.navigator?.onLine === false;
  }

  /** The browser says the network is gone: drop the socket (it may never notice) and wait for `online`. */
  private readonly wentOffline = (): void => {
    if (this.status === 'error') return;
    clearTimeout(this.retryTimer);
    this.polling?.abort();
    this.polling = undefined;
    this.dropSocket();
    this.setStatus('offline');
  };

  private readonly wentOnline = (): void => {
    if (this.status === 'error' || this.status === 'live') return;
    clearTimeout(this.retryTimer);
    void this.attempt();
  };

  private setStatus(status: ConnectionStatus): void {
    if (this.status === status) return;
    this.status = status;
    this.onStatus();
  }
}
