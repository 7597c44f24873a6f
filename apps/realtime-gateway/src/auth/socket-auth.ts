import { CloseCode } from '#contracts';
import { maySubscribe, revokes, type Principal, type RevocationNotice } from '#identity';

/** How long a socket that came without a credential has to send `auth`. */
export const AUTH_DEADLINE_MS = 5000;
/** Node fires a timer set beyond this (about 24.8 days) at once: longer waits are re-armed. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * Where one socket stands: `pending` (no credential yet: only `auth` is accepted, for
 * AUTH_DEADLINE_MS), `authenticated` (with the principal its subscriptions are checked
 * against, until it expires or is revoked), or `ended` (closed for a reason of its own).
 */
export type SocketAuth =
  { phase: 'pending' } | { phase: 'authenticated'; principal: Principal } | { phase: 'ended' };

/** Why the gateway closes a socket; `outcome` is the metrics label. */
export interface AuthClose {
  code: typeof CloseCode.unauthorized | typeof CloseCode.forbidden;
  reason: string;
  outcome: 'unauthorized' | 'expired' | 'revoked' | 'forbidden';
}

/** A room a socket is in, as a subscription to check against a (new) credential. */
export interface RoomTarget {
  projectId: string;
  sessionId?: string;
}

export type CredentialVerdict =
  | { kind: 'accept'; auth: SocketAuth & { phase: 'authenticated' }; renewed: boolean }
  | ({ kind: 'close' } & AuthClose);

const unauthorized = (reason: string, outcome: AuthClose['outcome'] = 'unauthorized'): AuthClose => ({
  code: CloseCode.unauthorized,
  reason,
  outcome,
});
export const AUTH_FIRST = unauthorized(
  'authenticate first: send {"type":"auth","token":"<token or API key>"}',
);
export const NO_CREDENTIAL_IN_TIME = unauthorized(
  `no credential within ${AUTH_DEADLINE_MS / 1000} s: send {"type":"auth","token":"…"} first`,
);
export const BAD_CREDENTIAL = unauthorized('credential unknown, revoked or expired');
export const EXPIRED = unauthorized('credential expired', 'expired');
export const REVOKED = unauthorized('credential revoked', 'revoked');

/** A client message of `type` in this phase: null to handle it, or how to close. */
export function admitMessage(auth: SocketAuth, type: string): AuthClose | null {
  if (auth.phase === 'pending' && type !== 'auth') return AUTH_FIRST;
  return null;
}

/**
 * A credential was checked (at connect, or sent with `auth`): `principal` null when it did
 * not hold. A renewal must still cover every room the socket is in, or the socket closes
 * 4403 (it would otherwise keep watching what the new credential may not see).
 */
export function credentialChecked(
  auth: SocketAuth,
  principal: Principal | null,
  rooms: readonly RoomTarget[],
  now: Date,
): CredentialVerdict {
  if (principal === null) return { kind: 'close', ...BAD_CREDENTIAL };
  if (principal.expiresAt !== null && principal.expiresAt.getTime() <= now.getTime()) {
    return { kind: 'close', ...EXPIRED };
  }
  for (const room of rooms) {
    if (maySubscribe(principal, room.projectId, room.sessionId, now) !== 'allow') {
      return {
        kind: 'close',
        code: CloseCode.forbidden,
        reason: `the new credential does not cover ${room.sessionId ? `session ${room.sessionId}` : `project ${room.projectId}`}`,
        outcome: 'forbidden',
      };
    }
  }
  return {
    kind: 'accept',
    auth: { phase: 'authenticated', principal },
    renewed: auth.phase === 'authenticated',
  };
}

/** Whether this socket may join a room now (not_found is refused the same way: nothing shows). */
export function maySubscribeNow(auth: SocketAuth, room: RoomTarget, now: Date): boolean {
  return (
    auth.phase === 'authenticated' &&
    maySubscribe(auth.principal, room.projectId, room.sessionId, now) === 'allow'
  );
}

/**
 * The deadline for a credential passed: a socket still pending closes, unless a credential
 * it sent is being checked (then that check decides: a busy database is not the client's fault).
 */
export function deadlinePassed(auth: SocketAuth, checking: boolean): AuthClose | null {
  return auth.phase === 'pending' && !checking ? NO_CREDENTIAL_IN_TIME : null;
}

/**
 * The expiry timer fired: close when the credential has expired by now. A timer capped at
 * MAX_TIMER_MS (or one that Node fired a millisecond early) answers null: arm it again.
 */
export function expiryDue(auth: SocketAuth, now: Date): AuthClose | null {
  if (auth.phase !== 'authenticated' || auth.principal.expiresAt === null) return null;
  return auth.principal.expiresAt.getTime() <= now.getTime() ? EXPIRED : null;
}

/** How long to wait before checking the expiry again; null when the credential never expires. */
export function expiryDelay(auth: SocketAuth, now: Date): number | null {
  if (auth.phase !== 'authenticated' || auth.principal.expiresAt === null) return null;
  return Math.min(MAX_TIMER_MS, Math.max(0, auth.principal.expiresAt.getTime() - now.getTime()));
}

/** A revocation notice (Redis) or the periodic re-check found that a credential ended. */
export function revocationNoticed(auth: SocketAuth, notice: RevocationNotice): AuthClose | null {
  return auth.phase === 'authenticated' && revokes(notice, auth.principal) ? REVOKED : null;
}
