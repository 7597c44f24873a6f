/** A directory under AGENT_WORK_ROOT: its name and when its entries last changed. */
export interface WorkDirectory {
  name: string;
  mtimeMs: number;
}

const SESSION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The build directories to delete: named like a session id (never anything else a person put
 * under the root), and unchanged for longer than the retention. The retention is at least
 * BUILD_MAX_MS, so the directory of a build that may still run is never among them.
 */
export function expiredWorkDirectories(
  directories: readonly WorkDirectory[],
  now: number,
  retentionMs: number,
  buildMaxMs: number,
): string[] {
  const keepFor = Math.max(retentionMs, buildMaxMs);
  return directories
    .filter((directory) => SESSION_ID.test(directory.name) && now - directory.mtimeMs > keepFor)
    .map((directory) => directory.name);
}
