import { Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { AppConfig } from '#config';
import { ChannelSubscriber, withTimeout } from '#bus';
import { CloseCode } from '#contracts';
import {
  IdentityService,
  parseRevocationNotice,
  REVOCATIONS_CHANNEL,
  type Principal,
  type RevocationNotice,
} from '#identity';
import type { ClientConnection } from '../connections/client-connection.js';
import { Connections } from '../connections/connections.service.js';
import { GatewayMetrics } from '../metrics/gateway-metrics.js';
import type { Credential } from './connect-credential.js';
import {
  AUTH_DEADLINE_MS,
  credentialChecked,
  deadlinePassed,
  expiryDelay,
  expiryDue,
  revocationNoticed,
  type AuthClose,
  type RoomTarget,
} from './socket-auth.js';

/** How long start-up waits for Redis to confirm the revocations subscription. */
const SUBSCRIBE_WAIT_MS = 1000;

/**
 * Who each socket is, and for how long (the agreed WebSocket auth protocol, docs/protocol.md):
 * checks credentials with IdentityService without blocking the event loop, keeps each
 * socket's deadline and expiry timer, and closes sockets whose credential was revoked: at
 * once on a Redis notice, and on a periodic re-check (GATEWAY_AUDIT_MS) in case one was lost.
 */
@Injectable()
export class GatewayAuth implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Auth');
  /** Checks in flight by credential: a reconnect storm with one key costs one lookup. */
  private readonly checking = new Map<string, Promise<Principal | null>>();
  private auditTimer: NodeJS.Timeout | undefined;
  private auditing = false;
  private leaveRevocations: (() => Promise<void>) | undefined;
  private stopReconnectListener: (() => void) | undefined;

  constructor(
    private readonly identity: IdentityService,
    private readonly subscriber: ChannelSubscriber,
    private readonly connections: Connections,
    private readonly metrics: GatewayMetrics,
    private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    // Notices sent while Redis was away are lost: re-check as soon as it is back.
    this.stopReconnectListener = this.subscriber.onReconnect(() => void this.audit());
    this.auditTimer = setInterval(() => void this.audit(), this.config.gateway.auditMs);
    this.auditTimer.unref();
    const subscribing = this.subscriber.subscribe(REVOCATIONS_CHANNEL, (_message, raw) => this.noticed(raw));
    try {
      this.leaveRevocations = await withTimeout(subscribing, SUBSCRIBE_WAIT_MS, 'SUBSCRIBE revocations');
    } catch (error) {
      // Redis is away: the subscription takes effect when it is back; the re-check covers meanwhile.
      this.logger.warn(`Revocation notices not subscribed yet: ${(error as Error).message}`);
      void subscribing.then((leave) => (this.leaveRevocations = leave)).catch(() => undefined);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.auditTimer);
    this.stopReconnectListener?.();
    await this.leaveRevocations?.();
  }

  /** A new socket: it must be authenticated within AUTH_DEADLINE_MS (at connect, or by `auth`). */
  startDeadline(connection: ClientConnection): void {
    connection.authTimer = setTimeout(() => {
      const close = deadlinePassed(connection.auth, connection.isChecking);
      if (close) this.end(connection, close);
    }, AUTH_DEADLINE_MS);
    connection.authTimer.unref();
  }

  /**
   * Checks a credential for a socket (first, or a renewal) and applies the verdict: the
   * socket is told `authenticated` and its expiry timer (re)armed, or it is closed. True when
   * it is authenticated now. `rooms` is read after the check: the rooms it is in by then.
   */
  async authenticate(
    connection: ClientConnection,
    credential: Credential,
    rooms: () => RoomTarget[],
  ): Promise<boolean> {
    let principal: Principal | null;
    try {
      principal = await this.verify(credential);
    } catch (error) {
      this.logger.warn(`Checking a credential failed: ${(error as Error).message}`);
      this.unavailable(connection);
      return false;
    }
    if (!connection.isOpen || connection.auth.phase === 'ended') return false;
    const verdict = credentialChecked(connection.auth, principal, rooms(), new Date());
    if (verdict.kind === 'close') {
      this.end(connection, verdict);
      return false;
    }
    connection.auth = verdict.auth;
    this.metrics.auth.inc({ outcome: verdict.renewed ? 'renewed' : 'authenticated' });
    this.armExpiry(connection);
    const expiresAt = verdict.auth.principal.expiresAt?.toISOString() ?? null;
    this.metrics.frameSent(connection.send({ type: 'authenticated', expiresAt }));
    return true;
  }

  /** Closes a socket for an auth reason, and counts it. */
  end(connection: ClientConnection, close: AuthClose): void {
    this.forget(connection);
    this.metrics.auth.inc({ outcome: close.outcome });
    connection.close(close.code, close.reason);
  }

  /** Counts a subscription refused for being outside the credential (answered, not closed). */
  refused(): void {
    this.metrics.auth.inc({ outcome: 'forbidden' });
  }

  /** The socket is gone (or going): its timers stop. */
  forget(connection: ClientConnection): void {
    clearTimeout(connection.authTimer);
    connection.auth = { phase: 'ended' };
  }

  /** Postgres could not answer: a first check ends the socket (try again), a renewal keeps the old credential. */
  private unavailable(connection: ClientConnection): void {
    if (connection.auth.phase === 'authenticated') {
      this.metrics.frameSent(
        connection.send({
          type: 'error',
          code: 'unavailable',
          message: 'The gateway could not check the new credential right now; the current one still holds',
        }),
      );
      return;
    }
    this.forget(connection);
    connection.close(
      CloseCode.tryAgainLater,
      'the gateway could not check the credential right now; reconnect shortly',
    );
  }

  private verify(credential: Credential): Promise<Principal | null> {
    const key = `${credential.kind}:${credential.value}`;
    let pending = this.checking.get(key);
    if (!pending) {
      pending = this.lookUp(credential).finally(() => this.checking.delete(key));
      this.checking.set(key, pending);
    }
    return pending;
  }

  private lookUp(credential: Credential): Promise<Principal | null> {
    switch (credential.kind) {
      case 'bearer':
        return this.identity.fromBearer(credential.value);
      case 'token':
        return this.identity.fromToken(credential.value);
      case 'cookie':
        return this.identity.fromCookie(credential.value);
    }
  }

  private armExpiry(connection: ClientConnection): void {
    clearTimeout(connection.authTimer);
    const delay = expiryDelay(connection.auth, new Date());
    if (delay === null) return;
    connection.authTimer = setTimeout(() => {
      const close = expiryDue(connection.auth, new Date());
      if (close) this.end(connection, close);
      else this.armExpiry(connection); // capped at MAX_TIMER_MS, or a millisecond early
    }, delay);
    connection.authTimer.unref();
  }

  private noticed(raw: string): void {
    const notice = parseRevocationNotice(raw);
    if (notice) this.closeRevoked([notice]);
  }

  private closeRevoked(notices: readonly RevocationNotice[]): void {
    if (notices.length === 0) return;
    for (const connection of this.connections.all()) {
      for (const notice of notices) {
        const close = revocationNoticed(connection.auth, notice);
        if (close) {
          this.end(connection, close);
          break;
        }
      }
    }
  }

  /** One query over the distinct keys and web sessions of the open sockets. */
  private async audit(): Promise<void> {
    if (this.auditing) return;
    const keyIds = new Set<string>();
    const webSessionIds = new Set<string>();
    for (const connection of this.connections.all()) {
      if (connection.auth.phase !== 'authenticated') continue;
      const { keyId, webSessionId } = connection.auth.principal;
      if (keyId !== null) keyIds.add(keyId);
      if (webSessionId !== null) webSessionIds.add(webSessionId);
    }
    if (keyIds.size === 0 && webSessionIds.size === 0) return;
    this.auditing = true;
    try {
      const ended = await this.identity.endedAmong({
        keyIds: [...keyIds],
        webSessionIds: [...webSessionIds],
      });
      this.closeRevoked([
        ...[...ended.keyIds].map((keyId) => ({ keyId })),
        ...[...ended.webSessionIds].map((webSessionId) => ({ webSessionId })),
      ]);
    } catch (error) {
      this.logger.warn(`Re-checking the credentials of open sockets failed: ${(error as Error).message}`);
    } finally {
      this.auditing = false;
    }
  }
}
