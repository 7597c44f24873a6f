import {
  chooseEncoding,
  COMPRESS_MIN_BYTES,
  matchesIfNoneMatch,
  snapshotCacheControl,
  snapshotEtag,
} from './snapshot-http.js';

describe('snapshot validators and headers', () => {
  const version = { seq: 42, audit: '[{"action":"started"}]' };

  it('names a snapshot by its seq, its audit and its variant', () => {
    const etag = snapshotEtag(version, 'v1');
    expect(etag).toMatch(/^W\/"42-[A-Za-z0-9_-]{16}"$/);
    expect(snapshotEtag({ ...version }, 'v1')).toBe(etag);
    expect(snapshotEtag({ ...version, seq: 43 }, 'v1')).not.toBe(etag);
    expect(snapshotEtag({ ...version, audit: '[]' }, 'v1')).not.toBe(etag);
    expect(snapshotEtag(version, 'v2')).not.toBe(etag);
  });

  it('lets browsers keep a finished build and makes them ask again for a running one', () => {
    expect(snapshotCacheControl(true)).toBe('private, max-age=86400, immutable');
    expect(snapshotCacheControl(false)).toBe('private, no-cache');
  });

  it('prefers brotli for a finished snapshot, gzip for a running one, and sends small bodies as they are', () => {
    const big = COMPRESS_MIN_BYTES;
    expect(chooseEncoding(['gzip', 'deflate', 'br'], big, true)).toBe('br');
    expect(chooseEncoding(['gzip', 'deflate', 'br'], big, false)).toBe('gzip');
    expect(chooseEncoding(['BR', 'identity'], big, false)).toBe('br');
    expect(chooseEncoding(['GZIP', 'identity'], big, true)).toBe('gzip');
    expect(chooseEncoding(['deflate', 'identity'], big, true)).toBe('identity');
    expect(chooseEncoding([], big, false)).toBe('identity');
    expect(chooseEncoding(['br', 'gzip'], big - 1, true)).toBe('identity');
  });

  it('matches If-None-Match weakly, in a list, or as *', () => {
    const etag = 'W/"42-abc"';
    expect(matchesIfNoneMatch('W/"42-abc"', etag)).toBe(true);
    expect(matchesIfNoneMatch('"42-abc"', etag)).toBe(true);
    expect(matchesIfNoneMatch('W/"1-x", W/"42-abc"', etag)).toBe(true);
    expect(matchesIfNoneMatch('*', etag)).toBe(true);
    expect(matchesIfNoneMatch('W/"42-abd"', etag)).toBe(false);
    expect(matchesIfNoneMatch('', etag)).toBe(false);
    expect(matchesIfNoneMatch(undefined, etag)).toBe(false);
  });
});
