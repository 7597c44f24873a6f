import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
const lib = (path: string) => fileURLToPath(new URL(`../../libs/${path}`, import.meta.url));

/**
 * Dev (`npm run dev:web`): the browser talks only to this server's origin; /api goes to the
 * API and /ws (an upgrade) to the gateway, so URLs never bypass the proxy.
 * Build: static files in dist/web, which the API serves at / (one URL for the whole app).
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  resolve: {
    // The web app uses the libraries' sources, as the Node apps use their build.
    alias: {
      '#contracts': lib('contracts/src/index.ts'),
      // Before '#client': an alias also matches what starts with it and a slash.
      '#client/react': lib('client/src/react/index.ts'),
      '#client': lib('client/src/index.ts'),
      '#transcripts': lib('transcripts/src/index.ts'),
    },
  },
  server: {
    port: 5173,
    strictPort: true,
    proxy: {
      '/api': { target: process.env.API_URL ?? 'http://localhost:3000', changeOrigin: true },
      '/ws': { target: process.env.GATEWAY_URL ?? 'http://localhost:3001', ws: true, changeOrigin: true },
    },
  },
  build: {
    outDir: `${repoRoot}/dist/web`,
    emptyOutDir: true,
    chunkSizeWarningLimit: 600,
  },
});
