import { CloseCode } from './contracts.js';
import { closeAction, isDue, isSignedOutAnswer, renewalTime, toCredential } from './credential.js';
import { HttpError } from './http.js';

const at = Date.parse('2026-12-01T10:00:00.000Z');

describe('renewalTime', () => {
  it('renews a minute before expiry when the lifetime is long', () => {
    expect(renewalTime(at, at + 600_000)).toBe(at + 540_000);
  });

  it('renews when two thirds of a short lifetime are gone', () => {
    expect(renewalTime(at, at + 3_000)).toBe(at + 2_000);
    expect(renewalTime(at, at + 180_000)).toBe(at + 120_000);
  });

  it('never renews in place without an expiry, or with one already past by our clock', () => {
    expect(renewalTime(at, NaN)).toBeNull();
    expect(renewalTime(at, at)).toBeNull();
    expect(renewalTime(at, at - 5_000)).toBeNull();
  });
});

describe('toCredential', () => {
  it('reads expiresAt from a token object', () => {
    expect(toCredential({ token: 't', expiresAt: '2026-12-01T10:00:03.000Z' }, at)).toEqual({
      token: 't',
      renewAt: at + 2_000,
    });
  });

  it('takes a bare string, a missing or unreadable expiresAt as never expiring', () => {
    expect(toCredential('bc_key', at)).toEqual({ token: 'bc_key', renewAt: null });
    expect(toCredential({ token: 't' }, at)).toEqual({ token: 't', renewAt: null });
    expect(toCredential({ token: 't', expiresAt: 'soon' }, at)).toEqual({ token: 't', renewAt: null });
  });
});

describe('isDue', () => {
  it('is due from renewAt on, never without one', () => {
    expect(isDue({ token: 't', renewAt: at }, at - 1)).toBe(false);
    expect(isDue({ token: 't', renewAt: at }, at)).toBe(true);
    expect(isDue({ token: 't', renewAt: null }, at + 1e12)).toBe(false);
  });
});

describe('isSignedOutAnswer', () => {
  it('is a 401 or 403 HttpError only', () => {
    expect(isSignedOutAnswer(new HttpError(401, '401 Signed out'))).toBe(true);
    expect(isSignedOutAnswer(new HttpError(403, '403 no'))).toBe(true);
    expect(isSignedOutAnswer(new HttpError(404, '404 Project x not found'))).toBe(false);
    expect(isSignedOutAnswer(new HttpError(0, 'network down'))).toBe(false);
    expect(isSignedOutAnswer(new Error('401'))).toBe(false);
  });
});

describe('closeAction', () => {
  it('4401: ask getToken again when there is one, else signed out', () => {
    expect(closeAction(CloseCode.unauthorized, true)).toBe('reauthenticate');
    expect(closeAction(CloseCode.unauthorized, false)).toBe('signed-out');
  });

  it('a bad, forbidden or oversized request is fatal either way', () => {
    for (const code of [CloseCode.badRequest, CloseCode.forbidden, CloseCode.messageTooLarge]) {
      expect(closeAction(code, true)).toBe('fatal');
      expect(closeAction(code, false)).toBe('fatal');
    }
  });

  it('1012 reconnects at once; anything else after the backoff', () => {
    expect(closeAction(CloseCode.serviceRestart, false)).toBe('reconnect-now');
    for (const code of [1000, 1001, 1006, CloseCode.heartbeatTimeout, CloseCode.rateLimited]) {
      expect(closeAction(code, true)).toBe('retry');
    }
  });
});
