import { cacheControlFor, IMMUTABLE, REVALIDATE } from './asset-caching.js';

describe('cacheControlFor', () => {
  it('caches hashed assets for a year', () => {
    expect(cacheControlFor('/assets/index-Bx12ab.js')).toBe(IMMUTABLE);
    expect(cacheControlFor('/assets/index-Cq9.css')).toBe(IMMUTABLE);
  });

  it('revalidates index.html and files outside /assets/', () => {
    expect(cacheControlFor('/index.html')).toBe(REVALIDATE);
    expect(cacheControlFor('/favicon.svg')).toBe(REVALIDATE);
    expect(cacheControlFor('/assetsfoo.js')).toBe(REVALIDATE);
  });

  it('judges the normalized path, not a prefix that leaves /assets/', () => {
    expect(cacheControlFor('/assets/../index.html')).toBe(REVALIDATE);
  });
});
