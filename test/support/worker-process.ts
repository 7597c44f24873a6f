import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import path from 'node:path';
import readline from 'node:readline';
import { promisify } from 'node:util';

/**
 * A runner-worker in a child process, from the built sources (`dist/`): a test can SIGKILL it.
 * jest transforms TypeScript in its own process only, so the tests that need a child build first.
 */
export async function buildDist(): Promise<void> {
  await promisify(execFile)(path.resolve('node_modules/.bin/tsc'), ['-p', 'tsconfig.build.json']);
}

/** Starts `dist/apps/runner-worker/src/main.js` with `env`; resolves once it consumes the queue. */
export async function startWorkerProcess(env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['dist/apps/runner-worker/src/main.js'], {
    env: { PATH: process.env.PATH ?? '', ...env },
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
