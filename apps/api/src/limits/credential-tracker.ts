import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/** The web app's session cookie (docs/protocol.md). */
export const SESSION_COOKIE = 'buildcast_session';

/**
 * Who a request claims to be, for the per-credential limits: a sha256 of its Bearer value,
 * else of its session cookie, else null (no per-credential limit; the per-IP one still
 * applies). Derived from the credential itself, not from authentication, so the limit runs
 * before authentication and also catches floods of unknown or invalid credentials. A hash:
 * the credential itself never becomes a Redis key.
 */
export function credentialTracker(headers: IncomingHttpHeaders): string | null {
  const credential = bearerValue(headers.authorization) ?? cookieValue(headers.cookie, SESSION_COOKIE);
  if (credential === null) return null;
  return `key:${createHash('sha256').update(credential).digest('hex')}`;
}

function bearerValue(authorization: string | undefined): string | null {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  return match ? match[1] : null;
}

/** The value of cookie `name` in a Cookie header (`a=1; name=value`), or null. */
function cookieValue(header: string | undefined, name: string): string | null {
  for (const pair of (header ?? '').split(';')) {
    const at = pair.indexOf('=');
    if (at > 0 && pair.slice(0, at).trim() === name) {
      const value = pair.slice(at + 1).trim();
      return value === '' ? null : value;
    }
  }
  return null;
}

/** The per-IP tracker; `ip` is Express's `request.ip` (which honours TRUSTED_PROXIES). */
export function ipTracker(ip: string | undefined): string {
  return `ip:${ip ?? 'unknown'}`;
}
