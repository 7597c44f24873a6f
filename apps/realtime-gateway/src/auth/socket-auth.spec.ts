import type { Principal } from '#identity';
import {
  admitMessage,
  credentialChecked,
  deadlinePassed,
  expiryDelay,
  expiryDue,
  MAX_TIMER_MS,
  maySubscribeNow,
  revocationNoticed,
  type SocketAuth,
} from './socket-auth.js';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';
const S = '33333333-3333-4333-8333-333333333333';
const T = '44444444-4444-4444-8444-444444444444';
const now = new Date('2026-12-01T12:00:00Z');
const later = (ms: number) => new Date(now.getTime() + ms);

const key: Principal = {
  via: 'key',
  keyId: 'k1',
  keyName: 'ci',
  keyPrefix: 'bc_abcdefgh',
  scopes: ['builds:read'],
  projectId: null,
  sessionId: null,
  expiresAt: null,
  webSessionId: null,
};
const token = (projectId: string, sessionId: string | null, expiresAt = later(2000)): Principal => ({
  ...key,
  via: 'token',
  projectId,
  sessionId,
  expiresAt,
});
const pending: SocketAuth = { phase: 'pending' };
const as = (principal: Principal): SocketAuth => ({ phase: 'authenticated', principal });

describe('socket auth: pending', () => {
  it('accepts only `auth` before a credential, and closes 4401 on anything else', () => {
    expect(admitMessage(pending, 'auth')).toBeNull();
    for (const type of ['subscribe', 'unsubscribe', 'ping']) {
      expect(admitMessage(pending, type)).toMatchObject({ code: 4401, outcome: 'unauthorized' });
    }
    expect(admitMessage(as(key), 'subscribe')).toBeNull();
  });

  it('closes at the deadline only when still pending and nothing is being checked', () => {
    expect(deadlinePassed(pending, false)).toMatchObject({ code: 4401, reason: /within 5 s/ });
    expect(deadlinePassed(pending, true)).toBeNull();
    expect(deadlinePassed(as(key), false)).toBeNull();
    expect(deadlinePassed({ phase: 'ended' }, false)).toBeNull();
  });
});

describe('socket auth: a checked credential', () => {
  it('authenticates, and tells a renewal from a first credential', () => {
    expect(credentialChecked(pending, key, [], now)).toMatchObject({ kind: 'accept', renewed: false });
    expect(credentialChecked(as(key), token(A, null), [{ projectId: A }], now)).toMatchObject({
      kind: 'accept',
      renewed: true,
      auth: { phase: 'authenticated', principal: { projectId: A } },
    });
  });

  it('closes 4401 for no principal and for one already expired', () => {
    expect(credentialChecked(pending, null, [], now)).toMatchObject({ kind: 'close', code: 4401 });
    expect(credentialChecked(pending, token(A, null, now), [], now)).toMatchObject({
      kind: 'close',
      code: 4401,
      reason: 'credential expired',
    });
  });

  it('closes 4403 when a renewal does not cover a room the socket is in', () => {
    const rooms = [{ projectId: A }, { projectId: B, sessionId: S }];
    expect(credentialChecked(as(key), token(A, null), rooms, now)).toMatchObject({
      kind: 'close',
      code: 4403,
      reason: `the new credential does not cover session ${S}`,
    });
    // A session token does not cover the project room, nor another session.
    expect(credentialChecked(as(key), token(A, S), [{ projectId: A }], now)).toMatchObject({ code: 4403 });
    expect(credentialChecked(as(key), token(A, S), [{ projectId: A, sessionId: T }], now)).toMatchObject({
      code: 4403,
    });
    expect(credentialChecked(as(key), token(A, S), [{ projectId: A, sessionId: S }], now)).toMatchObject({
      kind: 'accept',
    });
  });
});

describe('socket auth: subscriptions', () => {
  it('allows only what the credential covers, and nothing before authentication', () => {
    expect(maySubscribeNow(pending, { projectId: A }, now)).toBe(false);
    expect(maySubscribeNow(as(key), { projectId: B, sessionId: S }, now)).toBe(true);
    expect(maySubscribeNow(as(token(A, null)), { projectId: B }, now)).toBe(false);
    expect(maySubscribeNow(as(token(A, S)), { projectId: A, sessionId: T }, now)).toBe(false);
    expect(maySubscribeNow(as(token(A, S)), { projectId: A }, now)).toBe(false);
    expect(maySubscribeNow(as(token(A, S)), { projectId: A, sessionId: S }, now)).toBe(true);
    expect(maySubscribeNow(as({ ...key, scopes: ['agents:run'] }), { projectId: A }, now)).toBe(false);
  });
});

describe('socket auth: expiry', () => {
  it('waits until expiresAt, and never longer than a Node timer can', () => {
    expect(expiryDelay(as(key), now)).toBeNull();
    expect(expiryDelay(as(token(A, null, later(1500))), now)).toBe(1500);
    expect(expiryDelay(as(token(A, null, later(-10))), now)).toBe(0);
    expect(expiryDelay(as(token(A, null, later(40 * 24 * 3_600_000))), now)).toBe(MAX_TIMER_MS);
  });

  it('closes 4401 "credential expired" once expiresAt has passed, not a millisecond before', () => {
    const auth = as(token(A, null, later(1000)));
    expect(expiryDue(auth, later(999))).toBeNull();
    expect(expiryDue(auth, later(1000))).toMatchObject({ code: 4401, reason: 'credential expired' });
    expect(expiryDue(as(key), later(10 ** 12))).toBeNull();
    expect(expiryDue(pending, now)).toBeNull();
  });
});

describe('socket auth: revocation', () => {
  it('closes 4401 "credential revoked" for its key or its web session only', () => {
    const cookie = as({ ...key, via: 'cookie', webSessionId: 'w1', expiresAt: later(60_000) });
    expect(revocationNoticed(as(key), { keyId: 'k1' })).toMatchObject({
      code: 4401,
      reason: 'credential revoked',
    });
    expect(revocationNoticed(as(key), { keyId: 'k2' })).toBeNull();
    expect(revocationNoticed(cookie, { webSessionId: 'w1' })).toMatchObject({ outcome: 'revoked' });
    expect(revocationNoticed(cookie, { webSessionId: 'w2' })).toBeNull();
    const admin = as({ ...key, keyId: null });
    expect(revocationNoticed(admin, { keyId: 'k1' })).toBeNull();
    expect(revocationNoticed(pending, { keyId: 'k1' })).toBeNull();
  });
});
