// `npm start`: every app of the stack in one terminal, logs labelled by app.
// An app that dies is restarted after a short backoff while the others keep running (a
// gateway crash must not take the API and the runner's builds with it). Ctrl-C or SIGTERM
// stops them all.
import concurrently from 'concurrently';

const apps = [
  { name: 'api', command: 'exec node --enable-source-maps dist/apps/api/src/main.js', prefixColor: 'blue' },
  {
    name: 'gateway',
    command: 'exec node --enable-source-maps dist/apps/realtime-gateway/src/main.js',
    prefixColor: 'magenta',
  },
  {
    name: 'runner',
    command: 'exec node --enable-source-maps dist/apps/runner-worker/src/main.js',
    prefixColor: 'green',
  },
];

/** Waits before the 1st, 2nd, … restart in a row; the last one repeats. */
const BACKOFF_MS = [1_000, 2_000, 5_000, 10_000];
/** An app that ran this long before dying starts over at the first delay. */
const STABLE_MS = 60_000;

const log = (line) => console.log(`[start] ${line}`);

// concurrently forwards these signals to every app (its own listener); here they only mean
// "do not restart what exits from now on".
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (!stopping) log(`${signal}: stopping every app`);
    stopping = true;
  });
}

// restartTries stays 0: concurrently's own restarts (10.x) also restart apps that exit
// because of the SIGTERM it forwarded, so a stopped stack would come back.
const { commands, result } = concurrently(apps, { killOthersOn: [], restartTries: 0, prefix: 'name' });
// The stack ends when every app has exited after a signal; concurrently's result would also
// settle when all three happen to be down between restarts.
result.catch(() => undefined);

const exitWhenAllStopped = () => {
  if (commands.every((command) => command.state !== 'started')) process.exit(0);
};

for (const command of commands) {
  let failures = 0;
  let startedAt = Date.now();
  log(`${command.name} started (pid ${command.pid})`);
  command.close.subscribe(({ exitCode }) => {
    if (stopping) return exitWhenAllStopped();
    if (Date.now() - startedAt >= STABLE_MS) failures = 0;
    const delay = BACKOFF_MS[Math.min(failures, BACKOFF_MS.length - 1)];
    failures += 1;
    log(`${command.name} exited (${exitCode}); restarting it in ${delay / 1000} s, the others keep running`);
    setTimeout(() => {
      if (stopping) return exitWhenAllStopped();
      startedAt = Date.now();
      command.start();
      log(`${command.name} restarted (pid ${command.pid})`);
    }, delay);
  });
}
