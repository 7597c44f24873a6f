import { CloseCode, type ServerMessage } from './contracts.js';
import {
  closeAction,
  isDue,
  isSignedOutAnswer,
  toCredential,
  type Credential,
  type TokenTarget,
} from './credential.js';
import { HttpError } from './http.js';
import { announcedHeartbeatMs, nextLivenessStep, type LivenessState } from './liveness.js';
import { backoffDelay, type ResolvedOptions, type WebSocketLike } from './options.js';
import { sleep } from './sleep.js';

export type ConnectionStatus =
  'connecting' | 'live' | 'reconnecting' | 'polling' | 'offline' | 'error' | 'signed-out';

/** What a watch plugs into the connection policy. */
export interface ConnectionHandlers {
  /** What the watch's credential must cover (what `getToken` is asked for). */
  readonly target: TokenTarget;
  /**
   * Reads the REST state (snapshot or list); runs before a socket opens when `needsHydration`.
   * Its requests send `connection.token` (fresh when it runs).
   */
  hydrate(signal: AbortSignal): Promise<void>;
  /** The socket URL for the next attempt (it carries the current cursor). */
  socketUrl(): string;
  onMessage(message: ServerMessage): void;
  /** One REST long-poll round while the socket is down. */
  poll(signal: AbortSignal): Promise<void>;
}

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
 *
 * Credentials (with `getToken`): one is asked for before hydrating, sent on REST and as the
 * socket's first message (`auth`), and renewed in place before it expires; a 4401 close asks
 * for a new one and reconnects from the cursor. A 401 with nothing to renew it, or `getToken`
 * refusing (401/403), ends in `signed-out` (until `retry()`).
 */
export class Connection {
  status: ConnectionStatus = 'connecting';
  error: string | null = null;
  /** The server answered 404: the project or build does not exist (status `error`; a retry cannot help). */
  notFound = false;
  needsHydration = true;
  private socket: WebSocketLike | undefined;
  private failures = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private livenessTimer: ReturnType<typeof setTimeout> | undefined;
  private liveness: LivenessState | undefined;
  private polling: AbortController | undefined;
  private attempting: AbortController | undefined;
  private stopped = false;
  private credential: Credential | undefined;
  private pendingCredential: Promise<Credential> | undefined;
  private renewalTimer: ReturnType<typeof setTimeout> | undefined;
  /** The current socket got `authenticated`: a 4401 on it means its credential ran out. */
  private socketAuthenticated = false;
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
    this.attempting?.abort();
    this.dropSocket();
  }

  /** The credential REST requests send (undefined: none, a browser's cookie authenticates). */
  get token(): string | undefined {
    return this.credential?.token;
  }

  /** Start over now: after `error` or `signed-out`, or when a person clicks Retry. */
  retry(): void {
    if (this.stopped) return;
    clearTimeout(this.retryTimer);
    this.dropSocket();
    this.failures = 0;
    this.error = null;
    this.notFound = false;
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
    // A newer attempt supersedes one still asking for a credential or hydrating.
    this.attempting?.abort();
    const generation = (this.attempting = new AbortController());
    let token: string | undefined;
    try {
      token = await this.freshToken();
    } catch (error) {
      if (generation.signal.aborted || this.stopped) return;
      return this.tokenRefused(error);
    }
    if (generation.signal.aborted || this.stopped) return;
    if (this.needsHydration) {
      try {
        await this.handlers.hydrate(generation.signal);
        this.needsHydration = false;
      } catch (error) {
        if (generation.signal.aborted || this.stopped) return;
        if (error instanceof HttpError && error.status === 401) return this.restRefusedCredential(error);
        if (error instanceof HttpError && isRefusal(error.status)) return this.fail(error.message, error);
        this.error = (error as Error).message;
        return this.scheduleRetry();
      }
    }
    this.open(token);
  }

  /**
   * The credential for the next request: the one held until it is due for renewal, else a
   * new one from `getToken` (one request at a time). Undefined without `getToken`.
   */
  private async freshToken(): Promise<string | undefined> {
    const getToken = this.options.getToken;
    if (!getToken) return undefined;
    if (this.credential && !isDue(this.credential, Date.now())) return this.credential.token;
    this.pendingCredential ??= getToken(this.handlers.target)
      .then((issued) => toCredential(issued, Date.now()))
      .finally(() => (this.pendingCredential = undefined));
    this.credential = await this.pendingCredential;
    return this.credential.token;
  }

  /** `getToken` failed: signed out (401/403), a refusal (a project that is gone), or try again later. */
  private tokenRefused(error: unknown): void {
    const message = `Could not get a credential: ${(error as Error).message}`;
    if (isSignedOutAnswer(error)) return this.signOut(message);
    if (error instanceof HttpError && isRefusal(error.status)) return this.fail(message, error);
    this.error = message;
    this.scheduleRetry();
  }

  /** REST answered 401: without `getToken` nothing can fix it; with it, ask for a new credential. */
  private restRefusedCredential(error: HttpError): void {
    if (!this.options.getToken) return this.signOut(error.message);
    this.credential = undefined;
    this.error = error.message;
    this.scheduleRetry();
  }

  private open(token: string | undefined): void {
    if (this.stopped) return;
    this.dropSocket();
    const socket = new this.options.WebSocket(this.handlers.socketUrl());
    this.socket = socket;
    // An upgrade the server never answers counts as an unanswered ping.
    this.liveness = { lastHeardAt: Date.now(), pingSentAt: null, heartbeatMs: this.options.heartbeatMs };
    this.checkLiveness();
    socket.onopen = () => {
      this.heard();
      // Not in the URL: URLs end up in logs and histories.
      if (token !== undefined) this.send({ type: 'auth', token });
    };
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
      // `authenticated` (an extension) confirms the credential: renew it before it runs out.
      if (message.type === 'authenticated') {
        this.socketAuthenticated = true;
        return this.scheduleRenewal();
      }
      this.handlers.onMessage(message);
    };
    socket.onclose = (event) => {
      if (this.socket !== socket) return;
      this.socketClosed(event.code, event.reason);
    };
    socket.onerror = () => undefined; // a close event always follows
  }

  private socketClosed(code: number, reason: string): void {
    const wasAuthenticated = this.socketAuthenticated;
    this.socket = undefined;
    this.stopLiveness();
    if (this.stopped) return;
    switch (closeAction(code, this.options.getToken !== undefined)) {
      case 'fatal':
        return this.fail(`The server refused the subscription (${code} ${reason})`);
      case 'signed-out':
        return this.signOut(`The server ended the session (${code} ${reason})`);
      case 'reauthenticate':
        this.credential = undefined;
        // A credential that worked and ran out: a new one now. One refused at once: back off.
        if (!wasAuthenticated) return this.scheduleRetry();
        this.setStatus('reconnecting');
        void this.attempt();
        return;
      case 'reconnect-now':
        this.setStatus('reconnecting');
        void this.attempt();
        return;
      case 'retry':
        return this.scheduleRetry();
    }
  }

  /** Renews the credential in place (`auth` on the same socket) when it falls due. */
  private scheduleRenewal(): void {
    clearTimeout(this.renewalTimer);
    const renewAt = this.credential?.renewAt;
    if (!this.options.getToken || renewAt == null) return;
    const socket = this.socket;
    this.renewalTimer = setTimeout(() => void this.renew(socket), Math.max(0, renewAt - Date.now()));
  }

  private async renew(socket: WebSocketLike | undefined): Promise<void> {
    let token: string | undefined;
    try {
      token = await this.freshToken();
    } catch (error) {
      if (this.stopped || this.socket !== socket) return;
      // Otherwise the socket lives on until its credential expires; the 4401 asks again.
      if (isSignedOutAnswer(error))
        this.signOut(`Could not renew the credential: ${(error as Error).message}`);
      return;
    }
    if (this.stopped || this.socket !== socket || token === undefined) return;
    // The server answers `authenticated`, which schedules the next renewal.
    this.send({ type: 'auth', token });
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
          if (!(await this.pollRound(controller.signal))) return;
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

  /**
   * One long-poll with a fresh credential; false when it ended in `signed-out` (`getToken`
   * refused, or REST answered 401 with no `getToken`). A 401 on a credential from `getToken`
   * drops it, so the next round asks for another. Other failures throw.
   */
  private async pollRound(signal: AbortSignal): Promise<boolean> {
    try {
      await this.freshToken();
    } catch (error) {
      if (!isSignedOutAnswer(error)) throw error;
      this.signOut(`Could not get a credential: ${(error as Error).message}`);
      return false;
    }
    try {
      await this.handlers.poll(signal);
    } catch (error) {
      if (!(error instanceof HttpError && error.status === 401) || signal.aborted) throw error;
      if (!this.options.getToken) {
        this.signOut(error.message);
        return false;
      }
      this.credential = undefined;
      throw error;
    }
    return true;
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
    this.socketAuthenticated = false;
    clearTimeout(this.renewalTimer);
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

  private fail(message: string, refusal?: HttpError): void {
    this.error = message;
    this.notFound = refusal?.status === 404;
    this.polling?.abort();
    this.polling = undefined;
    this.setStatus('error');
  }

  /** Nothing more until `retry()` (after signing in again). */
  private signOut(message: string): void {
    this.error = message;
    this.credential = undefined;
    clearTimeout(this.retryTimer);
    this.polling?.abort();
    this.polling = undefined;
    this.dropSocket();
    this.setStatus('signed-out');
  }

  /** `error` and `signed-out` wait for `retry()`; nothing else restarts them. */
  private get halted(): boolean {
    return this.status === 'error' || this.status === 'signed-out';
  }

  private isOffline(): boolean {
    return this.page.navigator?.onLine === false;
  }

  /** The browser says the network is gone: drop the socket (it may never notice) and wait for `online`. */
  private readonly wentOffline = (): void => {
    if (this.halted) return;
    clearTimeout(this.retryTimer);
    this.polling?.abort();
    this.polling = undefined;
    this.dropSocket();
    this.setStatus('offline');
  };

  private readonly wentOnline = (): void => {
    if (this.halted || this.status === 'live') return;
    clearTimeout(this.retryTimer);
    void this.attempt();
  };

  private setStatus(status: ConnectionStatus): void {
    if (this.status === status) return;
    this.status = status;
    this.onStatus();
  }
}
