// The event log of a build session, exactly as docs/protocol.md (the wire contract) describes it.

export const TODO_STATUSES = ['pending', 'in_progress', 'completed'] as const;
export type TodoStatus = (typeof TODO_STATUSES)[number];

export const SESSION_STATUSES = [
  'queued',
  'running',
  'completed',
  'failed',
  'cancelled',
  'interrupted',
] as const;
export type SessionStatus = (typeof SESSION_STATUSES)[number];

export const FINISHED_STATUSES = ['completed', 'failed', 'cancelled', 'interrupted'] as const;
export type FinishedStatus = (typeof FINISHED_STATUSES)[number];

export function isFinishedStatus(status: SessionStatus): status is FinishedStatus {
  return (FINISHED_STATUSES as readonly string[]).includes(status);
}

export interface Todo {
  content: string;
  activeForm: string;
  status: TodoStatus;
}

export interface SessionStartedData {
  agentId: string;
  model: string | null;
  projectName: string;
  prompt?: string | null;
}

export interface TodosUpdatedData {
  /** The full list; replaces the previous one. */
  todos: Todo[];
}

export interface ToolStartedData {
  toolCallId: string;
  name: string;
  input: unknown;
  /** Index of the todo in progress when the call began, or null. */
  todoIndex: number | null;
  /**
   * Extension: the toolCallId of the sub-agent call (`Agent` / `Task`) this call was made in;
   * absent or null for a call of the main agent.
   */
  parentToolCallId?: string | null;
}

export interface ToolFinishedData {
  toolCallId: string;
  output: string;
  isError: boolean;
  /** Extension: set when `output` was shortened; the full text stays retrievable. */
  outputTruncated?: boolean;
}

export interface MessageData {
  role: 'assistant';
  text: string;
}

export interface SessionFinishedData {
  status: FinishedStatus;
  error?: string | null;
  usage?: Record<string, unknown> | null;
}

export interface EventDataByType {
  'session.started': SessionStartedData;
  'todos.updated': TodosUpdatedData;
  'tool.started': ToolStartedData;
  'tool.finished': ToolFinishedData;
  message: MessageData;
  'session.finished': SessionFinishedData;
}

export type BuildEventType = keyof EventDataByType;
export const BUILD_EVENT_TYPES = [
  'session.started',
  'todos.updated',
  'tool.started',
  'tool.finished',
  'message',
  'session.finished',
] as const satisfies readonly BuildEventType[];

/** An event as an agent produces it: no seq and no commit time yet. */
export type NewBuildEvent = {
  [T in BuildEventType]: { type: T; data: EventDataByType[T] };
}[BuildEventType];

/** A committed event: `seq` is 1, 2, 3, … per session; `at` is the commit time (ISO-8601). */
export type BuildEvent = NewBuildEvent & { seq: number; at: string };
