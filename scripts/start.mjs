// `npm start`: every app of the stack in one terminal, logs labelled by app; Ctrl-C stops all.
import concurrently from 'concurrently';

const apps = [
  { name: 'api', command: 'node --enable-source-maps dist/apps/api/src/main.js', prefixColor: 'blue' },
  { name: 'gateway', command: 'node --enable-source-maps dist/apps/realtime-gateway/src/main.js', prefixColor: 'magenta' },
  { name: 'runner', command: 'node --enable-source-maps dist/apps/runner-worker/src/main.js', prefixColor: 'green' },
];

const { result } = concurrently(apps, { killOthersOn: ['failure'], restartTries: 0, prefix: 'name' });
result.then(
  () => process.exit(0),
  () => process.exit(1),
);
