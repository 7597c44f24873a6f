// `npm start`: every app of the stack in one terminal, logs labelled by app.
// First it decides the setup (libs/launch: which Postgres, which transport) and stops in a few
// lines when a service it needs does not answer, before any build; with `--build` it then
// builds, while an embedded Postgres (if chosen) starts. The apps get DATABASE_URL and
// BUILDCAST_TRANSPORT from here, so all three run on the same setup.
// An app that dies is restarted after a short backoff while the others keep running (a
// gateway crash must not take the API and the runner's builds with it). Ctrl-C or SIGTERM
// stops them all, then the embedded Postgres.
import { spawn } from 'node:child_process';
import concurrently from 'concurrently';
import { appEnvironment, chooseSetup, startDatabase } from '#launch';

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

const log = (text) => {
  for (const line of String(text).split('\n')) console.log(`[start] ${line}`);
};

// concurrently forwards these signals to every app (its own listener); here they only mean
// "do not restart what exits from now on" (and, before the apps run, "do not start them").
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    if (!stopping) log(`${signal}: stopping every app`);
    stopping = true;
  });
}

const setup = await chooseSetup(process.env, process.cwd());
for (const line of setup.lines) log(line);
if (!setup.ok) process.exit(1);

const [database, built] = await Promise.allSettled([
  startDatabase(setup.database, (line) => log(line)),
  process.argv.includes('--build') ? run('npm', ['run', 'build']) : undefined,
]);
if (database.status === 'rejected') log(database.reason.message);
if (built.status === 'rejected') log(built.reason.message);
if (database.status === 'rejected' || built.status === 'rejected' || stopping) {
  if (database.status === 'fulfilled') await database.value.stop();
  process.exit(stopping ? 0 : 1);
}

const env = appEnvironment(setup.transport, database.value.url);
// The apps write to concurrently's pipes, not to this terminal: they would choose JSON. A
// person at the terminal gets pretty lines unless LOG_FORMAT says otherwise.
if (process.stdout.isTTY && !process.env.LOG_FORMAT) env.LOG_FORMAT = 'pretty';
// restartTries stays 0: concurrently's own restarts also restart apps that exit because of
// the SIGTERM it forwarded, so a stopped stack would come back.
const { commands, result } = concurrently(
  apps.map((app) => ({ ...app, env })),
  { killOthersOn: [], restartTries: 0, prefix: 'name' },
);
// The stack ends when every app has exited after a signal; concurrently's result would also
// settle when all three happen to be down between restarts.
result.catch(() => undefined);

let exiting = false;
const exitWhenAllStopped = async () => {
  if (exiting || commands.some((command) => command.state === 'started')) return;
  exiting = true;
  await database.value.stop();
  process.exit(0);
};

for (const command of commands) {
  let failures = 0;
  let startedAt = Date.now();
  log(`${command.name} started (pid ${command.pid})`);
  command.close.subscribe(({ exitCode }) => {
    if (stopping) return void exitWhenAllStopped();
    if (Date.now() - startedAt >= STABLE_MS) failures = 0;
    const delay = BACKOFF_MS[Math.min(failures, BACKOFF_MS.length - 1)];
    failures += 1;
    log(`${command.name} exited (${exitCode}); restarting it in ${delay / 1000} s, the others keep running`);
    setTimeout(() => {
      if (stopping) return void exitWhenAllStopped();
      startedAt = Date.now();
      command.start();
      log(`${command.name} restarted (pid ${command.pid})`);
    }, delay);
  });
}

/** Runs a command with this terminal; rejects when it fails. */
function run(file, args) {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: 'inherit' });
    child.once('error', reject);
    child.once('exit', (code, signal) =>
      code === 0 ? resolve() : reject(new Error(`${[file, ...args].join(' ')} failed (${signal ?? code})`)),
    );
  });
}
