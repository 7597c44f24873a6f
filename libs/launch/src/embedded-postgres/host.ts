// The embedded Postgres in a process of its own, forked by hosted-postgres.ts in a process
// group of its own: Ctrl-C in a terminal reaches the launcher and the apps, not Postgres,
// which stops when the launcher says so (after the apps have exited) or when the launcher is
// gone (killed), so that a crash leaves no Postgres running. Arguments: <dataDir> <port>.
import { startEmbeddedCluster } from './embedded-cluster.js';
import type { HostMessage, LauncherMessage } from './host-messages.js';

const send = (message: HostMessage): Promise<void> =>
  new Promise((resolve) => {
    if (!process.connected || process.send === undefined) return resolve();
    process.send(message, () => resolve());
  });
const log = (line: string) => void send({ type: 'log', line });

const [dataDir, port] = process.argv.slice(2);
try {
  const cluster = await startEmbeddedCluster({ dataDir, port: Number(port), log });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await cluster.stop();
    process.exit(0);
  };
  process.on('message', (message: LauncherMessage) => {
    if (message.type === 'stop') void stop();
  });
  process.on('disconnect', () => void stop());
  if (!process.connected) void stop(); // the launcher went away while Postgres was starting
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => void stop());
  void cluster.exited.then(async () => {
    if (stopping) return;
    await send({ type: 'log', line: 'Postgres exited on its own (see postgres.log in the data folder)' });
    process.exit(1);
  });
  await send({ type: 'ready', url: cluster.url, initialised: cluster.initialised });
} catch (error) {
  await send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  process.exit(1);
}
