// The Buildcast client SDK: framework-free, for browsers and Node. See docs/protocol.md.
export { watchBuild, type BuildListener, type BuildWatch } from './build-watch.js';
export { watchProject, type ProjectWatch } from './project-watch.js';
export type { ConnectionStatus } from './connection.js';
export type { GetToken, IssuedToken, TokenTarget } from './credential.js';
export { deleteJson, getJson, HttpError, postJson, type RequestOptions } from './http.js';
export {
  backoffDelay,
  resolveOptions,
  type ClientOptions,
  type WebSocketFactory,
  type WebSocketLike,
} from './options.js';
export {
  toAuditInfo,
  type AuditInfo,
  type BuildSessionInfo,
  type BuildView,
  type MessageInfo,
  type SessionInfo,
  type SessionSummaryInfo,
  type ToolCallInfo,
} from './views.js';
