import type { NewBuildEvent, Todo } from '#contracts';
import {
  BaseTranscriptParser,
  isObject,
  isTodoStatus,
  optionalString,
  outputText,
  type JsonObject,
} from './base-parser.js';
import { ToolCallIds } from './tool-call-ids.js';

/** Todo bookkeeping tools: shown as the todo list, not as tool calls (unless they fail). */
const TODO_TOOLS = new Set(['TodoWrite', 'write_todos', 'TaskCreate', 'TaskUpdate', 'TaskGet', 'TaskList']);

/** The tools that run a sub-agent: calls made inside it name one of these as their parent. */
export const SUB_AGENT_TOOLS = new Set(['Agent', 'Task']);

/** A todo plus the id TaskCreate gave it (null for TodoWrite lists). */
type Task = Todo & { taskId: string | null };

/** A todo tool call until its result: what to show if it fails, and the list before it. */
interface TodoCall {
  name: string;
  input: unknown;
  parentToolCallId: string | null;
  tasksBefore: Task[];
}

/**
 * Claude Code's messages, shared by its two formats (stream-json and its session logs):
 * assistant `text` and `tool_use` blocks, user `tool_result` blocks, and the todo tools.
 * `parent` is the toolCallId of the sub-agent call a message belongs to (null: main agent).
 */
export abstract class ClaudeConversationParser extends BaseTranscriptParser {
  protected readonly calls = new ToolCallIds();
  /** Raw ids of the main agent's calls still waiting for their result. */
  private readonly openMainCalls = new Set<string>();
  /** Raw tool_use id → the message it came in (a line repeating a message repeats its calls). */
  private readonly toolUseMessages = new Map<string, string>();
  private readonly todoCalls = new Map<string, TodoCall>();
  private lastTodoCall: string | null = null;
  private tasks: Task[] = [];
  private readonly pendingCreates = new Map<string, { content: string; activeForm: string }>();
  private readonly seenTexts = new Set<string>();

  /**
   * Events for an assistant message's content blocks. A sub-agent's narration stays inside
   * it (its result is its call's output): `narrate` is false for its messages.
   */
  protected assistantMessage(
    message: JsonObject,
    parentRawId: string | null,
    narrate = parentRawId === null,
  ): NewBuildEvent[] {
    const parent = parentRawId === null ? null : (this.calls.latest(parentRawId) ?? parentRawId);
    const content = Array.isArray(message.content) ? message.content : [];
    const messageId = optionalString(message.id) ?? '';
    const events: NewBuildEvent[] = [];
    for (const block of content) {
      if (!isObject(block)) continue;
      if (block.type === 'text') {
        if (narrate) events.push(...this.text(messageId, block.text));
      } else if (block.type === 'tool_use') {
        events.push(...this.toolUse(block, messageId, parent));
      }
    }
    return events;
  }

  /** Events for a user message's tool results; `toolUseResult` is the line's structured result. */
  protected userMessage(message: JsonObject, toolUseResult: unknown): NewBuildEvent[] {
    const content = Array.isArray(message.content) ? message.content : [];
    const results = content.filter(
      (block): block is JsonObject => isObject(block) && block.type === 'tool_result',
    );
    const events: NewBuildEvent[] = [];
    for (const block of results) {
      const rawId = optionalString(block.tool_use_id);
      if (!rawId) continue;
      this.openMainCalls.delete(rawId);
      const isError = block.is_error === true;
      const output = outputText(block.content);
      const todoCall = this.todoCalls.get(rawId);
      if (todoCall) {
        this.todoCalls.delete(rawId);
        // tool_use_result belongs to the whole line, so it only names the task when unambiguous.
        const structured = results.length === 1 ? toolUseResult : undefined;
        events.push(...this.todoResult(rawId, todoCall, output, isError, structured));
        continue;
      }
      // A result for a call never started (or already finished) would only confuse the log.
      const toolCallId = this.calls.finish(rawId);
      if (toolCallId === undefined) continue;
      events.push({ type: 'tool.finished', data: { toolCallId, output, isError } });
    }
    return events;
  }

  /** Whether a call of the main agent is still waiting for its result. */
  protected get hasOpenCalls(): boolean {
    return this.openMainCalls.size > 0;
  }

  private text(messageId: string, value: unknown): NewBuildEvent[] {
    const text = optionalString(value)?.trim();
    if (!text) return [];
    // Some CLIs repeat a message's blocks line after line under the same id.
    const key = `${messageId}\u0000${text}`;
    if (messageId && this.seenTexts.has(key)) return [];
    this.seenTexts.add(key);
    return [this.message(text)];
  }

  private toolUse(block: JsonObject, messageId: string, parent: string | null): NewBuildEvent[] {
    const rawId = optionalString(block.id);
    const name = optionalString(block.name);
    if (!rawId || !name) return [];
    const seenIn = this.toolUseMessages.get(rawId);
    if (seenIn !== undefined && (seenIn === messageId || this.isOpen(rawId))) return [];
    this.toolUseMessages.set(rawId, messageId);
    const input = block.input ?? {};
    if (parent === null) this.openMainCalls.add(rawId);
    if (TODO_TOOLS.has(name)) return this.todoToolUse(rawId, name, input, parent);
    const toolCallId = this.calls.start(rawId);
    return toolCallId === null ? [] : [this.toolStarted(toolCallId, name, input, parent)];
  }

  private isOpen(rawId: string): boolean {
    return this.calls.current(rawId) !== undefined || this.todoCalls.has(rawId);
  }

  private toolStarted(
    toolCallId: string,
    name: string,
    input: unknown,
    parent: string | null,
  ): NewBuildEvent {
    return {
      type: 'tool.started',
      data: {
        toolCallId,
        name,
        input,
        todoIndex: this.todoIndex(),
        ...(parent === null ? {} : { parentToolCallId: parent }),
      },
    };
  }

  private todoToolUse(rawId: string, name: string, input: unknown, parent: string | null): NewBuildEvent[] {
    this.todoCalls.set(rawId, { name, input, parentToolCallId: parent, tasksBefore: this.tasks });
    this.lastTodoCall = rawId;
    const args = isObject(input) ? input : {};
    switch (name) {
      case 'TodoWrite':
        return this.replaceList(args.todos, 'content');
      case 'write_todos':
        return this.replaceList(args.todos, 'description');
      case 'TaskCreate': {
        // The task exists once its result says so (and gives its id).
        const content = optionalString(args.subject) ?? optionalString(args.description) ?? 'Task';
        this.pendingCreates.set(rawId, { content, activeForm: optionalString(args.activeForm) || content });
        return [];
      }
      case 'TaskUpdate':
        return this.updateTask(args);
      default:
        return [];
    }
  }

  /**
   * A todo tool's result: TaskCreate's task now exists. A failed todo call is shown as a
   * failed call (a CLI may refuse the tool), and its change to the list is taken back.
   */
  private todoResult(
    rawId: string,
    call: TodoCall,
    output: string,
    isError: boolean,
    toolUseResult: unknown,
  ): NewBuildEvent[] {
    const pending = this.pendingCreates.get(rawId);
    this.pendingCreates.delete(rawId);
    if (isError) {
      const events: NewBuildEvent[] = [];
      if (this.lastTodoCall === rawId) {
        this.tasks = call.tasksBefore;
        events.push(...this.publishTasks());
      }
      const toolCallId = this.calls.start(rawId);
      if (toolCallId === null) return events;
      this.calls.finish(rawId);
      events.push(this.toolStarted(toolCallId, call.name, call.input, call.parentToolCallId), {
        type: 'tool.finished',
        data: { toolCallId, output, isError: true },
      });
      return events;
    }
    if (!pending) return [];
    const taskId =
      createdTaskId(toolUseResult) ?? /Task #(\w+) created/.exec(output)?.[1] ?? this.nextTaskId();
    this.tasks = [...this.tasks, { taskId, ...pending, status: 'pending' }];
    return this.publishTasks();
  }

  private replaceList(items: unknown, contentKey: 'content' | 'description'): NewBuildEvent[] {
    if (!Array.isArray(items)) return [];
    const tasks: Task[] = [];
    for (const item of items) {
      if (!isObject(item)) continue;
      const content = optionalString(item[contentKey]);
      // Gemini marks dropped todos `cancelled`: they leave the list like a deleted task.
      if (!content || item.status === 'cancelled') continue;
      const status = isTodoStatus(item.status) ? item.status : 'pending';
      tasks.push({ taskId: null, content, activeForm: optionalString(item.activeForm) || content, status });
    }
    this.tasks = tasks;
    return this.publishTasks();
  }

  private updateTask(args: JsonObject): NewBuildEvent[] {
    const taskId = typeof args.taskId === 'number' ? String(args.taskId) : optionalString(args.taskId);
    // The latest task with that id: a second run in the transcript numbers from 1 again.
    const index = taskId === undefined ? -1 : this.tasks.findLastIndex((task) => task.taskId === taskId);
    if (index === -1) return [];
    const tasks = [...this.tasks];
    if (args.status === 'deleted') {
      tasks.splice(index, 1);
    } else {
      const task = { ...tasks[index] };
      if (isTodoStatus(args.status)) task.status = args.status;
      const subject = optionalString(args.subject);
      if (subject) {
        // An activeForm that only mirrored the old subject follows the rename.
        if (task.activeForm === task.content) task.activeForm = subject;
        task.content = subject;
      }
      const activeForm = optionalString(args.activeForm);
      if (activeForm) task.activeForm = activeForm;
      tasks[index] = task;
    }
    this.tasks = tasks;
    return this.publishTasks();
  }

  private publishTasks(): NewBuildEvent[] {
    return this.setTodos(this.tasks);
  }

  private nextTaskId(): string {
    const numbers = this.tasks.map((task) => Number(task.taskId)).filter(Number.isInteger);
    return String(Math.max(0, ...numbers) + 1);
  }
}

function createdTaskId(toolUseResult: unknown): string | undefined {
  if (!isObject(toolUseResult) || !isObject(toolUseResult.task)) return undefined;
  const id = toolUseResult.task.id;
  return typeof id === 'number' ? String(id) : optionalString(id);
}
