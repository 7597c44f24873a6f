import { spawn, type ChildProcess } from 'node:child_process';
import readline from 'node:readline';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NewBuildEvent } from '#contracts';
import type { TranscriptParser } from '#transcripts';

export interface AgentProcessSpec {
  /** Resolved path of the executable. */
  executable: string;
  args: readonly string[];
  /** The per-build working directory. */
  cwd: string;
  /** The agent's whole environment (not the worker's). */
  env: Readonly<Record<string, string>>;
  /** How errors name the program, e.g. `CLAUDE_BIN "claude"`. */
  label: string;
}

export interface AgentProcessOptions {
  stderrTailBytes: number;
  /** Between SIGTERM and SIGKILL when the build is stopped. */
  graceMs: number;
}

type Exit = { code: number | null; signal: NodeJS.Signals | null } | { error: Error };

/**
 * Runs an agent process and yields the events of each stdout line, parsed as it arrives.
 * The process leads its own process group (`detached`), so stopping the build (abort)
 * signals everything it started: SIGTERM, then SIGKILL after the grace period. When the
 * agent exits, whatever it left in its group is killed too, and its output is closed.
 * On abort it returns without `end()` once the process is gone: the runner records the ending.
 */
export async function* runAgentProcess(
  spec: AgentProcessSpec,
  parser: TranscriptParser,
  options: AgentProcessOptions,
  signal: AbortSignal,
): AsyncGenerator<NewBuildEvent[]> {
  if (signal.aborted) return; // stopped before it started (a shutdown): nothing to spawn
  const child = spawn(spec.executable, spec.args, {
    cwd: spec.cwd,
    env: spec.env,
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exit = exitOf(child);
  const stderr = new TailBuffer(options.stderrTailBytes);
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= stopGroup(child, exit, options.graceMs));
  signal.addEventListener('abort', () => void stop(), { once: true });
  try {
    for await (const line of readline.createInterface({ input: child.stdout, crlfDelay: Infinity })) {
      if (signal.aborted) break;
      const events = parser.parseLine(line);
      if (events.length > 0) yield events;
    }
    const ended = await exit;
    if (signal.aborted) return;
    yield parser.end(failureOf(ended, spec.label, stderr.text()));
  } finally {
    // Reached on every way out, including the consumer giving up (its append failed).
    await stop();
  }
}

/** Resolves when the process has exited (or could not start); never rejects. */
function exitOf(child: ChildProcess): Promise<Exit> {
  return new Promise((resolve) => {
    child.once('error', (error) => resolve({ error }));
    child.once('exit', (code, signal) => {
      // Leftovers in its group would keep stdout open and run on unseen.
      killGroup(child, 'SIGKILL');
      resolve({ code, signal });
    });
  });
}

async function stopGroup(child: ChildProcess, exit: Promise<Exit>, graceMs: number): Promise<void> {
  killGroup(child, 'SIGTERM');
  // Unref'd: once the group is gone, the grace timer must not keep a closing worker alive.
  const exited = await Promise.race([exit.then(() => true), sleep(graceMs, false, { ref: false })]);
  if (!exited) {
    killGroup(child, 'SIGKILL');
    await exit;
  }
}

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return; // never started
  try {
    process.kill(-child.pid, signal);
  } catch (error) {
    // ESRCH: the group is already gone, which is what we want; EPERM: the id is no longer ours.
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ESRCH' && code !== 'EPERM') throw error;
  }
}

/** The error of a failed run (null when the process exited 0). */
function failureOf(exit: Exit, label: string, stderr: string): string | null {
  const detail = stderr.trim() === '' ? '' : `: ${stderr.trim()}`;
  if ('error' in exit) {
    const code = (exit.error as NodeJS.ErrnoException).code ?? exit.error.message;
    return `${label} could not be started (${code})`;
  }
  if (exit.code === 0) return null;
  const how = exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`;
  return `${label} ${how}${detail}`;
}

/** The last `limit` bytes written to a stream (whole UTF-8 characters). */
export class TailBuffer {
  private chunks: Buffer[] = [];
  private size = 0;

  constructor(private readonly limit: number) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.size += chunk.length;
    while (this.chunks.length > 1 && this.size - this.chunks[0].length >= this.limit) {
      this.size -= this.chunks.shift()!.length;
    }
  }

  text(): string {
    const all = Buffer.concat(this.chunks);
    let start = Math.max(0, all.length - this.limit);
    while (start < all.length && (all[start] & 0xc0) === 0x80) start++; // not mid-character
    return all.subarray(start).toString('utf8');
  }
}
