import type { BuildAuditEntry, MessageView, SnapshotSession, TodoView, ToolCallView } from '#contracts';

/**
 * A snapshot's JSON, written by one serializer whatever built the objects (Postgres' rows
 * parsed, or the fold): each object is copied into a literal of exactly the contract's
 * fields in the contract's order (the compiler rejects one missing or extra), so the same
 * snapshot is the same bytes in every API process; an absent nullable field is written
 * `null`, as Postgres writes a NULL column, and the fields an agent added are dropped.
 * Literals of one shape also keep JSON.stringify on V8's fast path.
 */
type Fields<T> = { [K in keyof T]-?: T[K] };

function toolCallFields(call: ToolCallView): Fields<ToolCallView> {
  return {
    id: call.id,
    todoIndex: call.todoIndex ?? null,
    parentToolCallId: call.parentToolCallId ?? null,
    name: call.name,
    input: call.input ?? null,
    output: call.output ?? null,
    isError: call.isError,
    outputTruncated: call.outputTruncated,
    status: call.status,
    startedAt: call.startedAt,
    endedAt: call.endedAt ?? null,
    startedSeq: call.startedSeq,
  };
}

function messageFields(message: MessageView): Fields<MessageView> {
  return { seq: message.seq, role: message.role, text: message.text, at: message.at };
}

function todoFields(todo: TodoView): Fields<TodoView> {
  return { index: todo.index, content: todo.content, activeForm: todo.activeForm, status: todo.status };
}

function auditEntryFields(entry: BuildAuditEntry): Fields<BuildAuditEntry> {
  return { action: entry.action, keyName: entry.keyName, keyPrefix: entry.keyPrefix ?? null, at: entry.at };
}

function sessionFields(session: SnapshotSession): Fields<SnapshotSession> {
  return {
    id: session.id,
    projectId: session.projectId,
    status: session.status,
    agent: session.agent,
    agentId: session.agentId,
    model: session.model ?? null,
    projectName: session.projectName,
    prompt: session.prompt ?? null,
    createdAt: session.createdAt,
    startedAt: session.startedAt ?? null,
    endedAt: session.endedAt ?? null,
    error: session.error ?? null,
    usage: session.usage ?? null,
    progress: {
      completed: session.progress.completed,
      total: session.progress.total,
      percent: session.progress.percent,
    },
    audit: session.audit.map(auditEntryFields),
  };
}

export const toolCallJson = (call: ToolCallView): string => JSON.stringify(toolCallFields(call));

export const messageJson = (message: MessageView): string => JSON.stringify(messageFields(message));

/**
 * The body up to the first tool call: `{"seq":…,"session":…,"todos":[…],"toolCalls":[`.
 * The tool calls, `],"messages":[`, the messages and `]}` follow (SnapshotDocument).
 */
export function snapshotHeadJson(seq: number, session: SnapshotSession, todos: readonly TodoView[]): string {
  const head = { seq, session: sessionFields(session), todos: todos.map(todoFields) };
  return `${JSON.stringify(head).slice(0, -1)},"toolCalls":[`;
}

export const BETWEEN_CALLS_AND_MESSAGES = '],"messages":[';
export const SNAPSHOT_TAIL = ']}';

/**
 * The first `limit` characters of `text` (code points, as Postgres' `left` counts them, so a
 * pair of surrogates is never split); the same string when it is not longer.
 */
export function leftChars(text: string, limit: number): string {
  if (text.length <= limit) return text;
  let end = 0;
  for (let count = 0; count < limit && end < text.length; count++) {
    const unit = text.charCodeAt(end);
    end += unit >= 0xd800 && unit <= 0xdbff && end + 1 < text.length ? 2 : 1;
  }
  return end >= text.length ? text : text.slice(0, end);
}

/**
 * The call as a snapshot shows it: its output cut to `limit` characters and marked
 * `outputTruncated` when longer (0: whole), as the cold build's SQL does; the same object
 * when nothing is cut. Applying it twice changes nothing.
 */
export function previewCall(call: ToolCallView, limit: number): ToolCallView {
  if (limit <= 0 || call.output === null || call.output === undefined) return call;
  const output = leftChars(call.output, limit);
  return output === call.output ? call : { ...call, output, outputTruncated: true };
}
