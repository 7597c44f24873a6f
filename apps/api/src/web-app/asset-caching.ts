import path from 'node:path';

/** Vite names what it builds under /assets/ by content hash: a new build is a new URL. */
export const HASHED_ASSETS = '/assets/';

export const IMMUTABLE = 'public, max-age=31536000, immutable';
/** Anything else (index.html above all) is checked again each time, so a new build is picked up. */
export const REVALIDATE = 'no-cache';

/** The Cache-Control of a web app file, by its path under the web root (`/assets/index-ab12.js`). */
export function cacheControlFor(urlPath: string): string {
  const normalized = path.posix.normalize(urlPath);
  return normalized.startsWith(HASHED_ASSETS) ? IMMUTABLE : REVALIDATE;
}
