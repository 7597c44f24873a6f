import { readdir, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

/**
 * The folder Claude Code keeps a working directory's session files in:
 * `<CLAUDE_CONFIG_DIR or ~/.claude>/projects/<mangled>`, where every character of the absolute
 * path that is not a letter or digit becomes `-` (`/tmp/hp_work` → `-tmp-hp-work`).
 */
export function claudeProjectDir(
  workingDir: string,
  env: Readonly<Record<string, string | undefined>>,
  home: string,
): string {
  const configDir = env.CLAUDE_CONFIG_DIR || path.join(home, '.claude');
  return path.join(configDir, 'projects', path.resolve(workingDir).replace(/[^a-zA-Z0-9]/g, '-'));
}

export interface SessionFile {
  name: string;
  mtimeMs: number;
}

/** The most recently written `*.jsonl` (the session being run), or null when there is none. */
export function newestSession(files: readonly SessionFile[]): string | null {
  let newest: SessionFile | null = null;
  for (const file of files) {
    if (!file.name.endsWith('.jsonl')) continue;
    if (newest === null || file.mtimeMs > newest.mtimeMs) newest = file;
  }
  return newest?.name ?? null;
}

/** The newest session file of `workingDir`, or null (with the folder looked in) when it has none. */
export async function findClaudeSession(
  workingDir: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<{ dir: string; file: string | null }> {
  const dir = claudeProjectDir(workingDir, env, os.homedir());
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return { dir, file: null };
  }
  const files = await Promise.all(
    names.map(async (name) => ({ name, mtimeMs: (await stat(path.join(dir, name))).mtimeMs })),
  );
  const newest = newestSession(files);
  return { dir, file: newest === null ? null : path.join(dir, newest) };
}
