import { existsSync, readdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LocalServices } from './service-hints.js';

/** Debian keeps one folder per Postgres cluster: /etc/postgresql/<version>/<name>. */
const DEBIAN_CLUSTERS = '/etc/postgresql';

/** What this machine has, for advice that names real commands. */
export function findLocalServices(): LocalServices {
  return {
    platform: process.platform,
    root: os.userInfo().uid === 0,
    postgresClusters: debianClusters(),
  };
}

function debianClusters(): string[] {
  const clusters: string[] = [];
  for (const version of subfolders(DEBIAN_CLUSTERS)) {
    for (const name of subfolders(path.join(DEBIAN_CLUSTERS, version))) {
      if (existsSync(path.join(DEBIAN_CLUSTERS, version, name, 'postgresql.conf'))) {
        clusters.push(`${version} ${name}`);
      }
    }
  }
  return clusters;
}

function subfolders(folder: string): string[] {
  try {
    return readdirSync(folder, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name)
      .sort();
  } catch {
    return []; // not Debian, or not readable: the advice names portable commands only
  }
}
