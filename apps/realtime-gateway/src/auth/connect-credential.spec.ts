import { connectCredential } from './connect-credential.js';

const JWT = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJrMSJ9.c2lnbmF0dXJl';
const KEY = 'bc_abcdefgh_' + 'x'.repeat(43);

describe('connectCredential', () => {
  it('finds nothing on a plain connect', () => {
    expect(connectCredential({}, '/ws?projectId=p')).toEqual({ kind: 'none' });
    expect(connectCredential({ cookie: 'other=1' }, '/ws')).toEqual({ kind: 'none' });
  });

  it('reads Authorization, then ?token=, then the session cookie; the first present decides', () => {
    const cookie = 'a=1; buildcast_session=secret';
    expect(connectCredential({ authorization: `Bearer ${KEY}`, cookie }, `/ws?token=${JWT}`)).toEqual({
      kind: 'bearer',
      value: KEY,
    });
    expect(connectCredential({ cookie }, `/ws?projectId=p&token=${JWT}`)).toEqual({
      kind: 'token',
      value: JWT,
    });
    expect(connectCredential({ cookie }, '/ws')).toEqual({ kind: 'cookie', value: 'secret' });
    // A bad explicit credential is not retried with the cookie.
    expect(connectCredential({ authorization: 'Basic abc', cookie }, '/ws')).toMatchObject({
      kind: 'invalid',
    });
  });

  it('takes only subscription tokens in the URL', () => {
    expect(connectCredential({}, `/ws?token=${KEY}`)).toMatchObject({
      kind: 'invalid',
      reason: /takes a subscription token/,
    });
    expect(connectCredential({}, '/ws?token=')).toMatchObject({ kind: 'invalid' });
  });
});
