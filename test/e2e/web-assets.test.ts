import http from 'node:http';
import { existsSync } from 'node:fs';
import { startStack, TEST_ADMIN_KEY, type TestStack } from '../support/stack.js';

interface RawAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  bytes: number;
  body: string;
}

/** A GET with exactly these headers (fetch would add and undo Accept-Encoding itself). */
function rawGet(url: string, headers: Record<string, string>): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers }, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const raw = Buffer.concat(chunks);
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            bytes: raw.length,
            body: raw.toString('latin1'),
          });
        });
        response.on('error', reject);
      })
      .on('error', reject);
  });
}

/** The web app's files from the API: hashed assets cached for a year and compressed; pages revalidated. */
describe('web app assets served by the API', () => {
  let stack: TestStack;
  let appUrl: string;
  let assets: string[];

  beforeAll(async () => {
    if (!existsSync('dist/web/index.html')) throw new Error('dist/web is missing: run `npm run build` first');
    stack = await startStack();
    appUrl = stack.apiUrl.replace(/\/api$/, '');
    const page = await rawGet(`${appUrl}/`, { accept: 'text/html' });
    assets = [...page.body.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((match) => match[1]);
  });
  afterAll(async () => {
    await stack?.close();
  });

  it('finds the hashed script and stylesheet in index.html', () => {
    expect(assets.some((asset) => asset.endsWith('.js'))).toBe(true);
    expect(assets.some((asset) => asset.endsWith('.css'))).toBe(true);
  });

  it.each([
    ['br', 'br'],
    ['gzip', 'gzip'],
    ['gzip, deflate, br', 'br'],
  ])(
    'answers Accept-Encoding %s with Content-Encoding %s and a year of immutable caching',
    async (accepted, encoding) => {
      for (const asset of assets) {
        const plain = await rawGet(`${appUrl}${asset}`, { 'accept-encoding': 'identity' });
        const compressed = await rawGet(`${appUrl}${asset}`, { 'accept-encoding': accepted });
        expect({
          asset,
          status: compressed.status,
          encoding: compressed.headers['content-encoding'],
        }).toEqual({
          asset,
          status: 200,
          encoding,
        });
        expect(compressed.headers['cache-control']).toBe('public, max-age=31536000, immutable');
        expect(compressed.headers.vary).toMatch(/accept-encoding/i);
        expect(compressed.bytes).toBeLessThan(plain.bytes);
        expect(plain.headers['content-encoding']).toBeUndefined();
        expect(plain.headers['cache-control']).toBe('public, max-age=31536000, immutable');
      }
    },
  );

  it('serves index.html and deep links with no-cache', async () => {
    for (const pagePath of ['/', '/projects/x/builds/y', '/index.html']) {
      const page = await rawGet(`${appUrl}${pagePath}`, { accept: 'text/html', 'accept-encoding': 'gzip' });
      expect({ pagePath, status: page.status, cache: page.headers['cache-control'] }).toEqual({
        pagePath,
        status: 200,
        cache: 'no-cache',
      });
    }
  });

  it('leaves API answers uncompressed', async () => {
    // The OpenAPI document is far above the compression threshold.
    const docs = await rawGet(`${stack.apiUrl}/docs-json`, {
      'accept-encoding': 'gzip, br',
      authorization: `Bearer ${TEST_ADMIN_KEY}`,
    });
    expect(docs.status).toBe(200);
    expect(docs.bytes).toBeGreaterThan(4096);
    expect(docs.headers['content-encoding']).toBeUndefined();
  });
});
