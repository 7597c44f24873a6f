import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';

/** `npm start`'s supervisor (run after `npm run build`). */
export const START_SCRIPT = path.resolve('scripts/start.mjs');

export interface NodeProcess {
  readonly child: ChildProcess;
  /** What it printed so far, stdout and stderr together. */
  output(): string;
  /** Its exit code (null when a signal ended it) and signal. */
  readonly exited: Promise<[number | null, NodeJS.Signals | null]>;
}

/** `node <args>` with only PATH, HOME and `env` (no variable of the test's own leaks in). */
export function spawnNode(args: string[], env: Record<string, string>): NodeProcess {
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  return { child, output: () => output, exited };
}

/** The pid start.mjs reported for `app` the `nth` time it started it (1: the first start). */
export function startedPid(output: string, app: string, nth = 1): number | undefined {
  const starts = [
    ...output.matchAll(new RegExp(`\\[start\\] ${app} (?:started|restarted) \\(pid (\\d+)\\)`, 'g')),
  ];
  const pid = starts[nth - 1]?.[1];
  return pid === undefined ? undefined : Number(pid);
}
