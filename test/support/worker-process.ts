import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { SIDE_PORTS } from './ports.js';

const WORKER_MAIN = path.resolve('dist/apps/runner-worker/src/main.js');

/**
 * A runner-worker in a child process, from the built sources, so a test can SIGKILL it. `npm
 * test` builds first (jest compiles TypeScript in its own process only); when running one
 * file by hand, run `npm run build` before it. Resolves once the worker consumes the queue.
 */
export async function startWorkerProcess(env: Record<string, string>): Promise<ChildProcess> {
  if (!existsSync(WORKER_MAIN)) throw new Error(`${WORKER_MAIN} is missing: run \`npm run build\` first`);
  const child = spawn(process.execPath, [WORKER_MAIN], {
    env: { PATH: process.env.PATH ?? '', ...SIDE_PORTS, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stderr.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const ready = (async () => {
    for await (const line of readline.createInterface({ input: child.stdout })) {
      if (line.includes('Runner-worker consuming')) return true;
    }
    return false;
  })();
  const exited = once(child, 'exit').then(() => false);
  if (!(await Promise.race([ready, exited]))) {
    throw new Error(`the worker process did not start: ${output.join('')}`);
  }
  child.stdout.resume(); // keep draining its logs (closing the line reader paused the stream)
  return child;
}

/** SIGKILL, as a crash: no shutdown hook runs. */
export async function killWorkerProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGKILL');
  await exited;
}
