import { execFile } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/** How long a Postgres left running by an earlier start gets to shut down before SIGQUIT. */
const SHUTDOWN_GRACE_MS = 30_000;

/**
 * Makes a cluster startable again after a crash. Postgres removes its own postmaster.pid when
 * the pid in it is gone, but refuses to start while that pid is alive: either our own Postgres
 * orphaned by a killed launcher (stopped here, cleanly), or an unrelated process that reused
 * the pid after a reboot (the file is stale and removed).
 */
export async function clearStaleLock(pgdata: string, log: (line: string) => void): Promise<void> {
  const lockFile = path.join(pgdata, 'postmaster.pid');
  let pid: number;
  try {
    pid = Number((await readFile(lockFile, 'utf8')).split('\n')[0]);
  } catch {
    return; // no lock: the cluster was stopped cleanly
  }
  if (!Number.isInteger(pid) || pid <= 0 || !isRunning(pid)) return;
  const command = await commandLine(pid);
  if (command === undefined) return; // cannot tell (no `ps`): Postgres will say what it finds
  if (command.includes(pgdata)) {
    log(`a Postgres from an earlier start (pid ${pid}) still runs on this cluster: stopping it`);
    await stopProcess(pid);
  } else {
    log(`removing a stale postmaster.pid (its pid ${pid} now belongs to another program)`);
    await rm(lockFile, { force: true });
  }
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM'; // alive, owned by another user
  }
}

/** The process's whole command line (`ps` on Linux and macOS; `ww`: never cut to a width). */
function commandLine(pid: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile('ps', ['-ww', '-p', String(pid), '-o', 'args='], (error, stdout) =>
      resolve(error ? undefined : stdout.trim()),
    );
  });
}

/** SIGINT is Postgres' fast shutdown (clients disconnected, nothing lost); SIGQUIT if it hangs. */
async function stopProcess(pid: number): Promise<void> {
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + SHUTDOWN_GRACE_MS;
  let quit = false;
  while (isRunning(pid)) {
    if (!quit && Date.now() > deadline) {
      process.kill(pid, 'SIGQUIT');
      quit = true;
    }
    await sleep(100);
  }
}
