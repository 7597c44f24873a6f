import type { BuildAuditEntry, MessageView, SnapshotSession, TodoView, ToolCallView } from '#contracts';

/**
 * A snapshot's JSON, written by one serializer whatever built the objects (Postgres' rows
 * parsed, or the fold): fields in the contract's order, so the same snapshot is the same
 * bytes in every API process, and a missing nullable field is written `null` as Postgres
 * writes a NULL column.
 */
type Serializer<T> = (value: T) => string;

/**
 * An object writer for exactly the fields of `T`, in the order given: the compiler rejects
 * a list that misses one (a field added to the contract must be added here).
 */
function objectWriter<T>() {
  return <const K extends readonly (keyof T & string)[]>(
    ...fields: Exclude<keyof T, K[number]> extends never ? K : never
  ): Serializer<T> => {
    const keys = fields.map((field, index) => `${index === 0 ? '{' : ','}${JSON.stringify(field)}:`);
    return (value) => {
      let text = '';
      for (let i = 0; i < fields.length; i++) {
        text += keys[i] + JSON.stringify(value[fields[i]] ?? null);
      }
      return `${text}}`;
    };
  };
}

export const toolCallJson = objectWriter<ToolCallView>()(
  'id',
  'todoIndex',
  'parentToolCallId',
  'name',
  'input',
  'output',
  'isError',
  'outputTruncated',
  'status',
  'startedAt',
  'endedAt',
  'startedSeq',
);

export const messageJson = objectWriter<MessageView>()('seq', 'role', 'text', 'at');

const todoJson = objectWriter<TodoView>()('index', 'content', 'activeForm', 'status');

const auditEntryJson = objectWriter<BuildAuditEntry>()('action', 'keyName', 'keyPrefix', 'at');

const sessionFields = objectWriter<Omit<SnapshotSession, 'audit'>>()(
  'id',
  'projectId',
  'status',
  'agent',
  'agentId',
  'model',
  'projectName',
  'prompt',
  'createdAt',
  'startedAt',
  'endedAt',
  'error',
  'usage',
  'progress',
);

export function arrayJson<T>(items: readonly T[], item: Serializer<T>): string {
  return `[${items.map(item).join(',')}]`;
}

/**
 * The body up to the first tool call: `{"seq":…,"session":…,"todos":[…],"toolCalls":[`.
 * The tool calls, `],"messages":[`, the messages and `]}` follow (SnapshotDocument).
 */
export function snapshotHeadJson(seq: number, session: SnapshotSession, todos: readonly TodoView[]): string {
  const fields = sessionFields(session);
  const audit = arrayJson(session.audit, auditEntryJson);
  return `{"seq":${seq},"session":${fields.slice(0, -1)},"audit":${audit}},"todos":${arrayJson(todos, todoJson)},"toolCalls":[`;
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
