export {
  BuildReadModel,
  type CreateSessionInput,
  type EventsAfterResult,
  type SnapshotReadOptions,
  type VersionedSnapshot,
  type SnapshotVersion,
  type ProjectListPage,
  type UnclaimedSession,
} from './build-read-model.js';
export {
  BUILDCAST_DATA_SOURCE,
  BUILDCAST_DATA_SOURCE_NAME,
  InjectBuildcastDataSource,
} from './buildcast-data-source.js';
export { type AuditActor, type AuditRecord } from './build-audit.js';
export { createDataSource, type DataSourceConfig } from './create-data-source.js';
export { isDatabaseUnavailable } from './database-unavailable.js';
export * from './entities/index.js';
export {
  EventStore,
  IdempotencyConflictError,
  LeaseHeldError,
  SessionClosedError,
  SessionNotFoundError,
  type AppendOptions,
  type IdempotentRequest,
} from './event-store.js';
export { type AppendBatch } from './repeated-batch.js';
export { SessionLeases, type ClaimResult } from './session-leases.js';
export { MIGRATIONS } from './migrations/index.js';
export { prepareDatabase } from './migrate.js';
export { DatabaseUnreachableError, waitForDatabase, type WaitOptions } from './wait-for-database.js';
export { PersistenceModule, type PersistenceOptions } from './persistence.module.js';
export { utf8Json } from './utf8-json.js';
export { toProject, toSessionSummary, toSessionView, type ProjectRow, type SessionRow } from './views.js';
