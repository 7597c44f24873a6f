import { jwtVerify, SignJWT, errors } from 'jose';
import type { Principal } from './principal.js';

/** Subscription tokens: HS256 JWTs for one project (or one session), read-only. */
const ISSUER = 'buildcast';
const AUDIENCE = 'buildcast:subscribe';

interface TokenClaims {
  /** The key's id, or "admin" for BUILDCAST_ADMIN_KEY. */
  sub: string;
  /** Key name and shown prefix, for audit lines and logs. */
  kn: string;
  kp?: string;
  pid: string;
  sid?: string;
  /** The web session it was minted with (sign-out revokes the token too). */
  ws?: string;
}

export const ADMIN_SUBJECT = 'admin';

export async function signSubscriptionToken(
  secret: Uint8Array,
  issuer: Principal,
  target: { projectId: string; sessionId?: string },
  ttlSeconds: number,
  now = new Date(),
): Promise<{ token: string; expiresAt: Date }> {
  const issuedAt = Math.floor(now.getTime() / 1000);
  const expiresAt = new Date((issuedAt + ttlSeconds) * 1000);
  const claims: Omit<TokenClaims, 'sub'> = { kn: issuer.keyName, pid: target.projectId };
  if (issuer.keyPrefix) claims.kp = issuer.keyPrefix;
  if (target.sessionId) claims.sid = target.sessionId;
  if (issuer.webSessionId) claims.ws = issuer.webSessionId;
  const token = await new SignJWT({ ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(issuer.keyId ?? ADMIN_SUBJECT)
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt(issuedAt)
    .setExpirationTime(issuedAt + ttlSeconds)
    .sign(secret);
  return { token, expiresAt };
}

/**
 * The principal a valid token stands for, or null when it is not one of ours, has been
 * altered or has expired. Whether its key is still valid is the caller's question.
 */
export async function verifySubscriptionToken(
  secret: Uint8Array,
  token: string,
  now = new Date(),
): Promise<Principal | null> {
  try {
    const { payload } = await jwtVerify<TokenClaims>(token, secret, {
      issuer: ISSUER,
      audience: AUDIENCE,
      algorithms: ['HS256'],
      currentDate: now,
    });
    if (
      typeof payload.sub !== 'string' ||
      typeof payload.pid !== 'string' ||
      typeof payload.exp !== 'number'
    ) {
      return null;
    }
    return {
      via: 'token',
      keyId: payload.sub === ADMIN_SUBJECT ? null : payload.sub,
      keyName: typeof payload.kn === 'string' ? payload.kn : 'token',
      keyPrefix: typeof payload.kp === 'string' ? payload.kp : null,
      scopes: ['builds:read'],
      projectId: payload.pid,
      sessionId: typeof payload.sid === 'string' ? payload.sid : null,
      expiresAt: new Date(payload.exp * 1000),
      webSessionId: typeof payload.ws === 'string' ? payload.ws : null,
    };
  } catch (error) {
    if (error instanceof errors.JOSEError) return null;
    throw error;
  }
}

/** A bearer value shaped like a JWT (three base64url parts), as opposed to an API key. */
export function looksLikeToken(value: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(value);
}
