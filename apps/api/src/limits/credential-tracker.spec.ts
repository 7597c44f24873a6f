import { createHash } from 'node:crypto';
import { credentialTracker, ipTracker } from './credential-tracker.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

describe('credentialTracker', () => {
  it('hashes the Bearer value, never keeping the credential itself', () => {
    const tracker = credentialTracker({ authorization: 'Bearer bc_abc_secret' });
    expect(tracker).toBe(`key:${sha256('bc_abc_secret')}`);
    expect(tracker).not.toContain('secret');
  });

  it('accepts any case of the scheme and surrounding spaces', () => {
    expect(credentialTracker({ authorization: 'bearer  bc_abc_secret ' })).toBe(
      `key:${sha256('bc_abc_secret')}`,
    );
  });

  it('falls back to the session cookie among other cookies', () => {
    expect(credentialTracker({ cookie: 'theme=dark; buildcast_session=s3ss10n; x=1' })).toBe(
      `key:${sha256('s3ss10n')}`,
    );
  });

  it('prefers the Bearer value when both are sent', () => {
    expect(credentialTracker({ authorization: 'Bearer k', cookie: 'buildcast_session=s' })).toBe(
      `key:${sha256('k')}`,
    );
  });

  it('is null without a credential: no per-credential limit', () => {
    expect(credentialTracker({})).toBeNull();
    expect(credentialTracker({ authorization: 'Basic dXNlcjpwYXNz' })).toBeNull();
    expect(credentialTracker({ authorization: 'Bearer' })).toBeNull();
    expect(credentialTracker({ cookie: 'buildcast_session=; other=1' })).toBeNull();
    expect(credentialTracker({ cookie: 'not_buildcast_session=x' })).toBeNull();
  });

  it('tells different credentials apart', () => {
    expect(credentialTracker({ authorization: 'Bearer a' })).not.toBe(
      credentialTracker({ authorization: 'Bearer b' }),
    );
  });
});

describe('ipTracker', () => {
  it('names the address', () => {
    expect(ipTracker('203.0.113.9')).toBe('ip:203.0.113.9');
    expect(ipTracker(undefined)).toBe('ip:unknown');
  });
});
