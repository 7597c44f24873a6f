import { decideAccess, maySubscribe } from './access-decision.js';
import type { Principal } from './principal.js';

const P = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';
const S = '33333333-3333-4333-8333-333333333333';

function principal(overrides: Partial<Principal> = {}): Principal {
  return {
    via: 'key',
    keyId: 'k',
    keyName: 'test',
    keyPrefix: 'bc_test',
    scopes: ['builds:read'],
    projectId: null,
    sessionId: null,
    expiresAt: null,
    webSessionId: null,
    ...overrides,
  };
}

describe('decideAccess', () => {
  it('refuses a request without a credential (401)', () => {
    expect(decideAccess(null, { scopes: ['builds:read'] })).toBe('unauthenticated');
  });

  it('refuses an expired credential (401), the same instant it expires', () => {
    const now = new Date('2026-12-01T12:00:00Z');
    expect(decideAccess(principal({ expiresAt: now }), { scopes: ['builds:read'] }, now)).toBe(
      'unauthenticated',
    );
    const later = new Date(now.getTime() + 1);
    expect(decideAccess(principal({ expiresAt: later }), { scopes: ['builds:read'] }, now)).toBe('allow');
  });

  it('hides another project (404) before saying anything about scopes', () => {
    const key = principal({ projectId: P, scopes: ['builds:read'] });
    expect(decideAccess(key, { scopes: ['admin'], projectId: OTHER })).toBe('not_found');
    expect(decideAccess(key, { scopes: ['builds:read'], projectId: OTHER, sessionId: S })).toBe('not_found');
    expect(decideAccess(key, { scopes: ['builds:read'], projectId: P })).toBe('allow');
    expect(decideAccess(key, { scopes: ['builds:write'], projectId: P })).toBe('forbidden');
  });

  it('lets an unrestricted key reach any project', () => {
    expect(decideAccess(principal(), { scopes: ['builds:read'], projectId: OTHER })).toBe('allow');
  });

  it('applies implied scopes: admin is everything, builds:write reads, agents:run only runs', () => {
    expect(decideAccess(principal({ scopes: ['admin'] }), { scopes: ['agents:run'] })).toBe('allow');
    expect(decideAccess(principal({ scopes: ['builds:write'] }), { scopes: ['builds:read'] })).toBe('allow');
    expect(decideAccess(principal({ scopes: ['agents:run'] }), { scopes: ['builds:read'] })).toBe(
      'forbidden',
    );
    expect(
      decideAccess(principal({ scopes: ['builds:read'] }), { scopes: ['builds:write', 'agents:run'] }),
    ).toBe('forbidden');
    expect(
      decideAccess(principal({ scopes: ['agents:run'] }), { scopes: ['builds:write', 'agents:run'] }),
    ).toBe('allow');
  });

  it('keeps a token for one session inside that session', () => {
    const token = principal({ via: 'token', projectId: P, sessionId: S });
    expect(decideAccess(token, { scopes: ['builds:read'], projectId: P, sessionId: S })).toBe('allow');
    expect(decideAccess(token, { scopes: ['builds:read'], projectId: P, sessionId: OTHER })).toBe(
      'not_found',
    );
    expect(decideAccess(token, { scopes: ['builds:read'], projectId: P })).toBe('forbidden');
    expect(decideAccess(token, { scopes: ['builds:read'] })).toBe('forbidden');
  });
});

describe('maySubscribe', () => {
  it('answers for project rooms and session rooms', () => {
    const token = principal({ via: 'token', projectId: P });
    expect(maySubscribe(token, P, undefined)).toBe('allow');
    expect(maySubscribe(token, P, S)).toBe('allow');
    expect(maySubscribe(token, OTHER, undefined)).toBe('not_found');
    expect(maySubscribe(principal({ scopes: ['agents:run'] }), P, S)).toBe('forbidden');
  });
});
