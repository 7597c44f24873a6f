import type { IncomingHttpHeaders } from 'node:http';
import { looksLikeToken, readBearer, readSessionCookie } from '#identity';

/** A credential to check: a Bearer value (API key or token), a `?token=`, or the session cookie. */
export type Credential =
  { kind: 'bearer'; value: string } | { kind: 'token'; value: string } | { kind: 'cookie'; value: string };

export type ConnectCredential = Credential | { kind: 'none' } | { kind: 'invalid'; reason: string };

/**
 * The credential a socket came with. Like REST, an explicit one wins (Authorization, then
 * `?token=`) over the web app's cookie, and a bad one is not retried with the next. `?token=`
 * takes subscription tokens only: URLs end up in logs, and a token there expires soon.
 */
export function connectCredential(headers: IncomingHttpHeaders, url: string | undefined): ConnectCredential {
  if (headers.authorization !== undefined) {
    const bearer = readBearer(headers.authorization);
    return bearer
      ? { kind: 'bearer', value: bearer }
      : { kind: 'invalid', reason: 'Authorization must be "Bearer <API key or token>"' };
  }
  const token = new URL(url ?? '/', 'http://gateway').searchParams.get('token');
  if (token !== null) {
    return looksLikeToken(token)
      ? { kind: 'token', value: token }
      : {
          kind: 'invalid',
          reason:
            '?token= takes a subscription token; send an API key as Authorization or in an auth message',
        };
  }
  const cookie = readSessionCookie(headers.cookie);
  return cookie === undefined ? { kind: 'none' } : { kind: 'cookie', value: cookie };
}
