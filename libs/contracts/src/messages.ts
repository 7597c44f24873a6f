// Redis channels and WebSocket messages. One typed map of server→client messages,
// shared by the gateway and every client: nobody guesses a shape.
import type { BuildEvent, SessionStatus } from './events.js';
import { isLiveAgent, type AgentKind, type Progress } from './snapshot.js';

export const sessionChannel = (projectId: string, sessionId: string): string =>
  `buildcast:${projectId}:${sessionId}`;
export const projectChannel = (projectId: string): string => `buildcast:${projectId}`;

/**
 * How a build takes a runner-worker's slots: a live agent is a process (WORKER_CONCURRENCY
 * of them per worker); a replay or a demo is a cheap loop (REPLAY_CONCURRENCY at once).
 */
export type BuildLane = 'live' | 'replay';

export function buildLane(agent: AgentKind): BuildLane {
  return isLiveAgent(agent) ? 'live' : 'replay';
}

/** The BullMQ queue that carries replay and demo jobs from the API to runner-workers. */
export const BUILDS_QUEUE = 'builds';
/** The BullMQ queue of live-agent jobs (its own, so that its slot limit is its own). */
export const LIVE_BUILDS_QUEUE = 'live-builds';
export const BUILD_QUEUES: Record<BuildLane, string> = { replay: BUILDS_QUEUE, live: LIVE_BUILDS_QUEUE };

/** Sent to sockets: every event of fromSeq..toSeq. */
export interface CommittedEventsMessage {
  projectId: string;
  sessionId: string;
  fromSeq: number;
  toSeq: number;
  events: BuildEvent[];
}

/**
 * A W3C trace context (https://www.w3.org/TR/trace-context/) as it rides in a bus message:
 * `traceparent` (55 characters) and, when the tracer keeps one, `tracestate` (at most 512).
 */
export interface TraceCarrier {
  traceparent: string;
  tracestate?: string;
}

/**
 * Announced on the session channel after a commit: seqs fromSeq..toSeq are in Postgres. Over
 * Redis it carries the events; over Postgres NOTIFY (8 KB payloads) it does not, and readers
 * read fromSeq..toSeq from Postgres. `trace`, only while the writer traces: the context of
 * its `bus.publish` span, so the gateway's spans join the writer's trace. It stays on the
 * bus: frames to sockets are built from the seq range and the events alone.
 */
export type CommittedEventsNotice = Omit<CommittedEventsMessage, 'events'> & {
  events?: BuildEvent[];
  trace?: TraceCarrier;
};

export interface SessionSummaryMessage {
  type: 'session';
  projectId: string;
  sessionId: string;
  status: SessionStatus;
  progress: Progress;
  agentId: string;
  model: string | null;
  projectName: string;
  /** Extension: latest committed seq of the session. */
  seq: number;
  startedAt: string | null;
  endedAt: string | null;
}

export interface ServerMessageMap {
  /** Extension: `heartbeatMs`, the server's heartbeat interval (see `heartbeat`). */
  subscribed: { type: 'subscribed'; projectId: string; sessionId?: string; seq: number; heartbeatMs: number };
  events: { type: 'events' } & CommittedEventsMessage;
  session: SessionSummaryMessage;
  resync: { type: 'resync'; projectId: string; sessionId: string; reason: string };
  /**
   * Extension: `intervalMs`, how often the server sends it. Two intervals without any frame
   * mean the server is gone; clients also `ping` when quiet and expect an answer.
   */
  heartbeat: { type: 'heartbeat'; at: string; intervalMs: number };
  pong: { type: 'pong' };
  /** Extension: confirms an `unsubscribe`. */
  unsubscribed: { type: 'unsubscribed'; projectId: string; sessionId?: string };
  /**
   * Extension: the socket's credential was accepted (at connect, or by an `auth` message);
   * `expiresAt` is when it stops working (send `auth` with a fresh one before), null: until revoked.
   */
  authenticated: { type: 'authenticated'; expiresAt: string | null };
  /**
   * `code`: not_found, bad_request, forbidden (a subscription outside the socket's credential),
   * or (extension) unavailable when Postgres or Redis failed.
   */
  error: { type: 'error'; code: string; message: string; projectId?: string; sessionId?: string };
}
export type ServerMessage = ServerMessageMap[keyof ServerMessageMap];

export type ClientMessage =
  | { type: 'subscribe'; projectId: string; sessionId?: string; since?: number }
  | { type: 'unsubscribe'; projectId: string; sessionId?: string }
  | { type: 'ping' }
  /** Extension: authenticates the socket (a subscription token or an API key), or renews it. */
  | { type: 'auth'; token: string };

export const CloseCode = {
  normal: 1000,
  goingAway: 1001,
  serviceRestart: 1012,
  /** Extension: the gateway could not check the credential (Postgres away); reconnect shortly. */
  tryAgainLater: 1013,
  badRequest: 4400,
  unauthorized: 4401,
  forbidden: 4403,
  heartbeatTimeout: 4408,
  messageTooLarge: 4413,
  rateLimited: 4429,
} as const;
