import { readdir, rm, stat } from 'node:fs/promises';
import path from 'node:path';
import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '#config';
import { expiredWorkDirectories, type WorkDirectory } from './work-retention.js';

const PRUNE_EVERY_MS = 3_600_000;

/**
 * Deletes live agents' build directories after AGENT_WORK_RETENTION_HOURS (at start, then
 * hourly): they hold what the agent made, source and secrets included, and must not pile up.
 */
@Injectable()
export class WorkDirectories implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WorkDirectories.name);
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly config: AppConfig) {}

  onApplicationBootstrap(): void {
    void this.prune();
    this.timer = setInterval(() => void this.prune(), PRUNE_EVERY_MS).unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  async prune(): Promise<string[]> {
    const root = this.config.agentWorkRoot;
    try {
      const expired = expiredWorkDirectories(
        await listDirectories(root),
        Date.now(),
        this.config.agentWorkRetentionMs,
        this.config.buildMaxMs,
      );
      for (const name of expired) await rm(path.join(root, name), { recursive: true, force: true });
      if (expired.length > 0) this.logger.log(`Deleted ${expired.length} build directories past retention`);
      return expired;
    } catch (error) {
      this.logger.warn(`Pruning ${root} failed: ${(error as Error).message}`);
      return [];
    }
  }
}

async function listDirectories(root: string): Promise<WorkDirectory[]> {
  let entries;
  try {
    entries = await readdir(root, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return []; // no live agent ran yet
    throw error;
  }
  const directories = entries.filter((entry) => entry.isDirectory());
  return Promise.all(
    directories.map(async (entry) => ({
      name: entry.name,
      mtimeMs: (await stat(path.join(root, entry.name))).mtimeMs,
    })),
  );
}
