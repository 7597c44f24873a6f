import { readBearer, readSessionCookie } from './cookies.js';
import { generateKey, hashSecret, parseKey, sameSecret, verifySecret } from './key-secrets.js';
import { allowedOrigins, isOriginAllowed } from './origins.js';
import type { Principal } from './principal.js';
import { looksLikeToken, signSubscriptionToken, verifySubscriptionToken } from './tokens.js';

describe('API keys', () => {
  it('generates keys that parse back, and refuses anything else', () => {
    const { key, prefix, secret } = generateKey();
    expect(parseKey(key)).toEqual({ prefix, secret });
    expect(parseKey(`${key}x`)).toBeNull();
    expect(parseKey('bc_short_abc')).toBeNull();
    expect(parseKey('')).toBeNull();
  });

  it('stores a hash that verifies the secret and nothing else', async () => {
    const { secret } = generateKey();
    const stored = await hashSecret(secret);
    expect(stored).not.toContain(secret);
    await expect(verifySecret(secret, stored)).resolves.toBe(true);
    // Another last character (the secret is random: it may end in any of them).
    const altered = `${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;
    await expect(verifySecret(altered, stored)).resolves.toBe(false);
    await expect(verifySecret(secret, 'plain$text')).resolves.toBe(false);
  });

  it('compares the admin key in constant time, by value', () => {
    expect(sameSecret('a'.repeat(40), 'a'.repeat(40))).toBe(true);
    expect(sameSecret('a'.repeat(40), 'a'.repeat(39))).toBe(false);
  });
});

describe('headers', () => {
  it('reads the Bearer credential and the session cookie', () => {
    expect(readBearer('Bearer abc.def')).toBe('abc.def');
    expect(readBearer('bearer   k  ')).toBe('k');
    expect(readBearer('Basic abc')).toBeUndefined();
    expect(readBearer(undefined)).toBeUndefined();
    expect(readSessionCookie('a=1; buildcast_session=xyz; b=2')).toBe('xyz');
    expect(readSessionCookie('buildcast_session=')).toBeUndefined();
    expect(readSessionCookie('other=1')).toBeUndefined();
  });
});

describe('origins', () => {
  it('allows PUBLIC_URL and CORS_ORIGINS, and loopback names only when PUBLIC_URL is unset', () => {
    const loopback = allowedOrigins('http://localhost:3000', ['http://localhost:5173'], false);
    expect(isOriginAllowed('http://127.0.0.1:3000', loopback)).toBe(true);
    expect(isOriginAllowed('http://localhost:5173', loopback)).toBe(true);
    expect(isOriginAllowed('https://evil.example', loopback)).toBe(false);
    expect(isOriginAllowed('null', loopback)).toBe(false);
    expect(isOriginAllowed(undefined, loopback)).toBe(true);

    const deployed = allowedOrigins('https://builds.example.com', [], true);
    expect(isOriginAllowed('https://builds.example.com', deployed)).toBe(true);
    expect(isOriginAllowed('http://127.0.0.1:3000', deployed)).toBe(false);
  });
});

describe('subscription tokens', () => {
  const secret = new TextEncoder().encode('s'.repeat(32));
  const issuer: Principal = {
    via: 'key',
    keyId: 'key-id',
    keyName: 'ci',
    keyPrefix: 'bc_abcd1234',
    scopes: ['admin'],
    projectId: null,
    sessionId: null,
    expiresAt: null,
    webSessionId: null,
  };

  it('carries the project, the session and the key, read-only, until it expires', async () => {
    const now = new Date('2026-12-01T12:00:00Z');
    const { token, expiresAt } = await signSubscriptionToken(
      secret,
      issuer,
      { projectId: 'p', sessionId: 's' },
      600,
      now,
    );
    expect(looksLikeToken(token)).toBe(true);
    expect(expiresAt.toISOString()).toBe('2026-12-01T12:10:00.000Z');
    const principal = await verifySubscriptionToken(secret, token, now);
    expect(principal).toMatchObject({
      via: 'token',
      keyId: 'key-id',
      projectId: 'p',
      sessionId: 's',
      scopes: ['builds:read'],
    });
    expect(await verifySubscriptionToken(secret, token, new Date(expiresAt.getTime() + 1000))).toBeNull();
  });

  it('refuses a token signed with another secret, or altered', async () => {
    const { token } = await signSubscriptionToken(secret, issuer, { projectId: 'p' }, 600);
    expect(await verifySubscriptionToken(new TextEncoder().encode('t'.repeat(32)), token)).toBeNull();
    const [header, , signature] = token.split('.');
    const forged = Buffer.from(JSON.stringify({ sub: 'key-id', pid: 'other', exp: 9e9 })).toString(
      'base64url',
    );
    expect(await verifySubscriptionToken(secret, `${header}.${forged}.${signature}`)).toBeNull();
    expect(await verifySubscriptionToken(secret, 'not.a.token')).toBeNull();
  });
});
