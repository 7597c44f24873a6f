#!/usr/bin/env node
// `buildcast`: the command-line client (npm bin). See cli.ts for the commands.
import { runCli } from './cli.js';

process.exitCode = await runCli(process.argv.slice(2), {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
  env: process.env,
  // Only while a command listens (follow): otherwise Ctrl-C stops the CLI as usual.
  onInterrupt: (stop) => {
    process.on('SIGINT', stop);
    return () => process.off('SIGINT', stop);
  },
});
