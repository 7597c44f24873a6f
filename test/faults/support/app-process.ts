import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export type AppName = 'api' | 'gateway' | 'runner';

const MAINS: Record<AppName, string> = {
  api: 'dist/apps/api/src/main.js',
  gateway: 'dist/apps/realtime-gateway/src/main.js',
  runner: 'dist/apps/runner-worker/src/main.js',
};

/** How an app says it is up: an HTTP URL that answers (any status), or a log line. */
export type Readiness = { url: string } | { line: string };

/** Lines of output kept per process, for the failure message. */
const KEPT_LINES = 200;

/**
 * One app of the stack as a child process from `dist`, so a test can SIGKILL, SIGSTOP and
 * restart it. `npm run faults` and `npm test` build first; by hand, run `npm run build`.
 */
export class AppProcess {
  restarts = 0;
  private child: ChildProcess | undefined;
  private readonly lines: string[] = [];

  constructor(
    readonly name: AppName,
    private readonly env: Record<string, string>,
    private readonly readiness: Readiness,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last lines it printed (across restarts). */
  output(): string {
    return this.lines.join('\n');
  }

  /** Spawns it and resolves once it is ready (up to `timeoutMs`). */
  async start(timeoutMs = 60_000): Promise<void> {
    const main = path.resolve(MAINS[this.name]);
    if (!existsSync(main)) throw new Error(`${main} is missing: run \`npm run build\` first`);
    const child = spawn(process.execPath, ['--enable-source-maps', main], {
      env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...this.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    let sawReadyLine = false;
    const keep = (chunk: Buffer) => {
      for (const line of chunk.toString().split('\n')) {
        if (line === '') continue;
        if ('line' in this.readiness && line.includes(this.readiness.line)) sawReadyLine = true;
        this.lines.push(`[${this.name} ${child.pid}] ${line}`);
      }
      if (this.lines.length > KEPT_LINES) this.lines.splice(0, this.lines.length - KEPT_LINES);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`${this.name} exited while starting:\n${this.output()}`);
      }
      if ('line' in this.readiness ? sawReadyLine : await answers(this.readiness.url)) return;
      if (Date.now() > deadline) {
        await this.kill('SIGKILL');
        throw new Error(`${this.name} was not ready after ${timeoutMs} ms:\n${this.output()}`);
      }
      await sleep(100);
    }
  }

  /** Sends `signal`; for SIGKILL and SIGTERM, resolves once the process has exited. */
  async kill(signal: 'SIGKILL' | 'SIGTERM'): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = once(child, 'exit');
    child.kill(signal);
    await exited;
  }

  /** SIGKILL (a crash: no shutdown hook runs), then a new process. */
  async crashAndRestart(pauseMs = 0): Promise<void> {
    await this.kill('SIGKILL');
    if (pauseMs > 0) await sleep(pauseMs);
    this.restarts += 1;
    await this.start();
  }

  /** SIGSTOP: the process is frozen, its sockets stay open and nothing answers. */
  freeze(): void {
    this.child?.kill('SIGSTOP');
  }

  thaw(): void {
    this.child?.kill('SIGCONT');
  }

  /** SIGTERM (after SIGCONT, in case it is frozen), SIGKILL if it does not exit in 15 s. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = once(child, 'exit');
    child.kill('SIGCONT');
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
    await response.arrayBuffer();
    return true;
  } catch {
    return false;
  }
}
