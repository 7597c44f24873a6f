import path from 'node:path';

/**
 * A build's working directory: `<root>/<sessionId>`, or null when that would not be a
 * direct child of `root`. Session ids are UUIDs from Postgres; this makes containment a
 * checked fact rather than an assumption (an id such as `../x` never escapes AGENT_WORK_ROOT).
 */
export function workDirectoryOf(root: string, sessionId: string): string | null {
  const base = path.resolve(root);
  const directory = path.resolve(base, sessionId);
  const relative = path.relative(base, directory);
  const directChild =
    relative !== '' && relative !== '..' && !relative.includes(path.sep) && !path.isAbsolute(relative);
  return directChild && relative === sessionId ? directory : null;
}
