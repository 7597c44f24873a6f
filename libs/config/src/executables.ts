import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import path from 'node:path';
import type { AgentCommandConfig } from './app-config.js';

/**
 * The path of an executable as spawn would find it: a name containing a slash is used as
 * it is (relative to `cwd`), a bare name is looked up on the search path. Null when none is executable.
 */
export async function findExecutable(bin: string, searchPath: string, cwd = '.'): Promise<string | null> {
  const candidates = bin.includes('/')
    ? [path.resolve(cwd, bin)]
    : searchPath
        .split(path.delimiter)
        .filter((dir) => dir !== '')
        .map((dir) => path.join(dir, bin));
  for (const candidate of candidates) {
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      continue; // not there or not executable: try the next directory
    }
  }
  return null;
}

export type ResolvedAgent =
  { executable: string; unavailable: null } | { executable: null; unavailable: string };

/** The executable of a live agent, or why it cannot start here (not enabled, not configured, not found). */
export async function resolveAgent(
  agent: string,
  command: AgentCommandConfig,
  searchPath: string,
): Promise<ResolvedAgent> {
  if (!command.enabled) {
    return {
      executable: null,
      unavailable: `Agent ${agent} is not enabled: live agents run only when LIVE_AGENTS names them (e.g. LIVE_AGENTS=${agent})`,
    };
  }
  if (command.bin === null) {
    return { executable: null, unavailable: `Agent ${agent} is not configured: set ${command.variable}` };
  }
  const executable = await findExecutable(command.bin, searchPath);
  if (executable) return { executable, unavailable: null };
  return {
    executable: null,
    unavailable: `Agent ${agent} is not installed: ${command.variable} "${command.bin}" was not found or is not executable`,
  };
}
