import path from 'node:path';

/** What lives in BUILDCAST_DATA_DIR. */
export function dataDirLayout(dataDir: string) {
  return {
    /** The cluster (PGDATA). */
    pgdata: path.join(dataDir, 'postgres'),
    /** Its password, made at the first start (the cluster listens on 127.0.0.1 only, with scram). */
    password: path.join(dataDir, 'postgres.password'),
    /** Everything initdb and Postgres print. */
    log: path.join(dataDir, 'postgres.log'),
  };
}
