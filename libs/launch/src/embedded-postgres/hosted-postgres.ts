import { fork, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { freePort } from '../probe/tcp-probe.js';
import type { HostMessage, LauncherMessage } from './host-messages.js';

const HOST = fileURLToPath(new URL('./host.js', import.meta.url));
/** Waits before starting Postgres again after it died: 1st, 2nd, … time; the last one repeats. */
const RESTART_DELAYS_MS = [1_000, 2_000, 5_000, 10_000];

export interface HostedPostgres {
  /** What the apps connect to (it holds the password: not for logs). */
  readonly url: string;
  readonly port: number;
  /** True when this start created the cluster. */
  readonly initialised: boolean;
  /** Stops Postgres (fast shutdown) and waits until it has exited. */
  stop(): Promise<void>;
}

/**
 * Runs the embedded Postgres of `dataDir` on a free port, in a process of its own (host.ts).
 * Should Postgres die while the stack runs, it is started again on the same port, where the
 * apps reconnect.
 */
export async function startHostedPostgres(
  dataDir: string,
  log: (line: string) => void,
): Promise<HostedPostgres> {
  const port = await freePort();
  let host = spawnHost(dataDir, port, log);
  const ready = await host.ready;
  let stopping = false;
  let restarts = 0;
  let restartTimer: NodeJS.Timeout | undefined;

  const watch = (child: ChildProcess) => {
    child.once('exit', (code, signal) => {
      if (stopping) return;
      const delay = RESTART_DELAYS_MS[Math.min(restarts, RESTART_DELAYS_MS.length - 1)];
      restarts += 1;
      log(`embedded Postgres exited (${signal ?? code}); starting it again in ${delay / 1000} s`);
      restartTimer = setTimeout(() => {
        if (stopping) return;
        host = spawnHost(dataDir, port, log);
        watch(host.child);
        host.ready.then(
          () => log(`embedded Postgres is back on 127.0.0.1:${port}`),
          (error: Error) => log(error.message),
        );
      }, delay);
    });
  };
  watch(host.child);

  return {
    url: ready.url,
    port,
    initialised: ready.initialised,
    stop: async () => {
      stopping = true;
      clearTimeout(restartTimer);
      const { child } = host;
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      try {
        child.send({ type: 'stop' } satisfies LauncherMessage);
      } catch {
        child.kill('SIGTERM'); // its IPC channel is gone: the signal asks the same
      }
      await exited;
    },
  };
}

interface Host {
  readonly child: ChildProcess;
  readonly ready: Promise<{ url: string; initialised: boolean }>;
}

function spawnHost(dataDir: string, port: number, log: (line: string) => void): Host {
  // detached: a process group of its own, out of reach of the terminal's Ctrl-C (see host.ts);
  // no execArgv: the launcher's own node flags (--eval, --input-type…) are not the host's.
  const child = fork(HOST, [dataDir, String(port)], {
    detached: true,
    execArgv: [],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const ready = new Promise<{ url: string; initialised: boolean }>((resolve, reject) => {
    child.on('message', (message: HostMessage) => {
      if (message.type === 'log') log(message.line);
      else if (message.type === 'ready') resolve(message);
      else reject(new Error(message.message));
    });
    child.once('exit', (code, signal) =>
      reject(new Error(`the embedded Postgres exited before it was ready (${signal ?? code})`)),
    );
  });
  return { child, ready };
}
