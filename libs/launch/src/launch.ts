import { startHostedPostgres } from './embedded-postgres/hosted-postgres.js';
import { dataDirLayout } from './embedded-postgres/data-dir.js';
import { answers } from './probe/tcp-probe.js';
import {
  decideSetup,
  probeTargets,
  type DatabaseSetup,
  type LaunchEnvironment,
  type SetupDecision,
} from './setup/decide-setup.js';
import { findLocalServices } from './setup/local-services.js';

/** Probes what could be used, then decides (see decideSetup). */
export async function chooseSetup(env: LaunchEnvironment, cwd: string): Promise<SetupDecision> {
  const targets = probeTargets(env);
  const [postgres, redis] = await Promise.all([
    targets.postgres && answers(targets.postgres),
    targets.redis && answers(targets.redis),
  ]);
  return decideSetup({ env, cwd, answered: { postgres, redis }, local: findLocalServices() });
}

export interface StartedDatabase {
  readonly url: string;
  stop(): Promise<void>;
}

/** The external database as it is, or the embedded one started (and said so in the log). */
export async function startDatabase(
  database: DatabaseSetup,
  log: (line: string) => void,
): Promise<StartedDatabase> {
  if (database.kind === 'external') return { url: database.url, stop: () => Promise.resolve() };
  const startedAt = Date.now();
  const postgres = await startHostedPostgres(database.dataDir, log);
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
  const how = postgres.initialised ? 'cluster created' : 'cluster reused';
  log(
    `embedded Postgres ready on 127.0.0.1:${postgres.port} in ${seconds} s (${how}; ` +
      `user postgres, password in ${dataDirLayout(database.dataDir).password})`,
  );
  return {
    url: postgres.url,
    stop: async () => {
      await postgres.stop();
      log('embedded Postgres stopped');
    },
  };
}
