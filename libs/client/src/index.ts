// The Buildcast client SDK: framework-free, for browsers and Node. See docs/protocol.md.
export { watchBuild, type BuildListener, type BuildWatch } from './build-watch.js';
export { watchProject, type ProjectWatch, type ProjectWatchOptions } from './project-watch.js';
export type { ConnectionStatus } from './connection.js';
export {
  createIngest,
  type Ingest,
  type IngestOptions,
  type IngestRange,
  type StartExternalBuild,
} from './ingest.js';
export type { GetToken, IssuedToken, TokenTarget } from './credential.js';
export {
  deleteJson,
  getJson,
  getJsonIfChanged,
  HttpError,
  postJson,
  type RequestOptions,
  type Revalidated,
} from './http.js';
export {
  backoffDelay,
  resolveOptions,
  type ClientOptions,
  type WebSocketFactory,
  type WebSocketLike,
} from './options.js';
export {
  toAuditInfo,
  toSummaryInfo,
  type AuditInfo,
  type BuildSessionInfo,
  type BuildView,
  type MessageInfo,
  type SessionInfo,
  type SessionSummaryInfo,
  type ToolCallInfo,
} from './views.js';
