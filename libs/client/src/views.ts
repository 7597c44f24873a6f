import type {
  BuildAuditEntry,
  MessageView,
  SessionSummary,
  SessionView,
  Snapshot,
  SnapshotSession,
  ToolCallView,
} from './contracts.js';

/** Wire dates (ISO strings) become Date objects here, and only here. */
export interface SessionInfo extends Omit<SessionView, 'createdAt' | 'startedAt' | 'endedAt'> {
  createdAt: Date;
  startedAt: Date | null;
  endedAt: Date | null;
}

export interface ToolCallInfo extends Omit<ToolCallView, 'startedAt' | 'endedAt'> {
  startedAt: Date;
  endedAt: Date | null;
  /** null while running. */
  durationMs: number | null;
}

export interface MessageInfo extends Omit<MessageView, 'at'> {
  at: Date;
}

export interface AuditInfo extends Omit<BuildAuditEntry, 'at'> {
  at: Date;
}

/** A build's session also says who started and cancelled it. */
export interface BuildSessionInfo extends SessionInfo {
  audit: AuditInfo[];
}

export interface BuildView {
  seq: number;
  session: BuildSessionInfo;
  todos: Snapshot['todos'];
  toolCalls: ToolCallInfo[];
  /** The agent's messages in seq order (place them among the calls by `startedSeq`). */
  messages: MessageInfo[];
}

export interface SessionSummaryInfo extends SessionInfo {
  seq: number;
}

const toDate = (iso: string | null): Date | null => (iso === null ? null : new Date(iso));

export function toSessionInfo(session: SessionView): SessionInfo {
  return {
    ...session,
    createdAt: new Date(session.createdAt),
    startedAt: toDate(session.startedAt),
    endedAt: toDate(session.endedAt),
  };
}

export function toAuditInfo(entry: BuildAuditEntry): AuditInfo {
  return { ...entry, at: new Date(entry.at) };
}

/** A snapshot from an older API has no audit: an empty one. */
function toBuildSessionInfo(session: SnapshotSession): BuildSessionInfo {
  return {
    ...toSessionInfo(session),
    audit: (session.audit ?? []).map(toAuditInfo),
  };
}

export function toBuildView(snapshot: Snapshot): BuildView {
  return {
    seq: snapshot.seq,
    session: toBuildSessionInfo(snapshot.session),
    todos: snapshot.todos,
    toolCalls: snapshot.toolCalls.map((call) => {
      const startedAt = new Date(call.startedAt);
      const endedAt = toDate(call.endedAt);
      return {
        ...call,
        startedAt,
        endedAt,
        durationMs: endedAt ? endedAt.getTime() - startedAt.getTime() : null,
      };
    }),
    // A snapshot from an older API has no messages.
    messages: (snapshot.messages ?? []).map((message) => ({ ...message, at: new Date(message.at) })),
  };
}

export function toSummaryInfo(summary: SessionSummary): SessionSummaryInfo {
  return { ...toSessionInfo(summary), seq: summary.seq };
}
