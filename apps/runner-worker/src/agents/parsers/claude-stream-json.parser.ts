import type { NewBuildEvent, Todo } from '#contracts';
import {
  BaseTranscriptParser,
  MalformedLineError,
  isObject,
  isTodoStatus,
  optionalString,
  outputText,
  type JsonObject,
} from './base-parser.js';

/** Todo bookkeeping tools: shown as the todo list, not as tool calls. */
const TODO_TOOLS = new Set(['TodoWrite', 'write_todos', 'TaskCreate', 'TaskUpdate', 'TaskGet', 'TaskList']);

/** A todo plus the id TaskCreate gave it (null for TodoWrite lists). */
type Task = Todo & { taskId: string | null };

/** Claude Code `--output-format stream-json --verbose`. */
export class ClaudeStreamJsonParser extends BaseTranscriptParser {
  private initSeen = false;
  private tasks: Task[] = [];
  private readonly toolUseIds = new Set<string>();
  private readonly hiddenToolUseIds = new Set<string>();
  private readonly finishedToolUseIds = new Set<string>();
  private readonly pendingCreates = new Map<string, { content: string; activeForm: string }>();
  private readonly seenTexts = new Set<string>();

  protected handle(line: JsonObject & { type: string }): NewBuildEvent[] {
    switch (line.type) {
      case 'system':
        return line.subtype === 'init' ? this.onInit(line) : this.ignore();
      case 'assistant':
        return this.onAssistant(line);
      case 'user':
        return this.onUser(line);
      case 'result':
        return this.onResult(line);
      default:
        return this.ignore();
    }
  }

  private onInit(line: JsonObject): NewBuildEvent[] {
    if (this.initSeen) {
      this.newRun();
      return [];
    }
    this.initSeen = true;
    return this.startSession(optionalString(line.model) ?? null);
  }

  private onAssistant(line: JsonObject): NewBuildEvent[] {
    const content = isObject(line.message) ? line.message.content : undefined;
    if (!Array.isArray(content)) throw new MalformedLineError('assistant line without message.content[]');
    const messageId = isObject(line.message) ? optionalString(line.message.id) : undefined;
    const events: NewBuildEvent[] = [];
    for (const block of content) {
      if (!isObject(block)) continue;
      if (block.type === 'text') {
        const text = optionalString(block.text)?.trim();
        if (!text) continue;
        // Some CLIs repeat a message's blocks line after line under the same id.
        const key = `${messageId ?? ''}\u0000${text}`;
        if (messageId && this.seenTexts.has(key)) continue;
        this.seenTexts.add(key);
        events.push(this.message(text));
      } else if (block.type === 'tool_use') {
        events.push(...this.onToolUse(block));
      }
    }
    return events;
  }

  private onToolUse(block: JsonObject): NewBuildEvent[] {
    const id = optionalString(block.id);
    const name = optionalString(block.name);
    if (!id || !name || this.toolUseIds.has(id)) return [];
    this.toolUseIds.add(id);
    const input = block.input ?? {};
    if (!TODO_TOOLS.has(name)) {
      return [{ type: 'tool.started', data: { toolCallId: id, name, input, todoIndex: this.todoIndex() } }];
    }
    this.hiddenToolUseIds.add(id);
    const args = isObject(input) ? input : {};
    switch (name) {
      case 'TodoWrite':
        return this.replaceList(args.todos, 'content');
      case 'write_todos':
        return this.replaceList(args.todos, 'description');
      case 'TaskCreate': {
        // The task exists once its result says so (and gives its id).
        const content = optionalString(args.subject) ?? optionalString(args.description) ?? 'Task';
        this.pendingCreates.set(id, { content, activeForm: optionalString(args.activeForm) || content });
        return [];
      }
      case 'TaskUpdate':
        return this.updateTask(args);
      default:
        return [];
    }
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
    if (args.status === 'deleted') {
      this.tasks.splice(index, 1);
      return this.publishTasks();
    }
    const task = { ...this.tasks[index] };
    if (isTodoStatus(args.status)) task.status = args.status;
    const subject = optionalString(args.subject);
    if (subject) {
      // An activeForm that only mirrored the old subject follows the rename.
      if (task.activeForm === task.content) task.activeForm = subject;
      task.content = subject;
    }
    const activeForm = optionalString(args.activeForm);
    if (activeForm) task.activeForm = activeForm;
    this.tasks[index] = task;
    return this.publishTasks();
  }

  private publishTasks(): NewBuildEvent[] {
    return this.setTodos(this.tasks);
  }

  private onUser(line: JsonObject): NewBuildEvent[] {
    if (!isObject(line.message)) throw new MalformedLineError('user line without message');
    const content = line.message.content;
    if (typeof content === 'string') return this.ignore();
    if (!Array.isArray(content)) throw new MalformedLineError('user line without message.content');
    const results = content.filter(
      (block): block is JsonObject => isObject(block) && block.type === 'tool_result',
    );
    const events: NewBuildEvent[] = [];
    for (const block of results) {
      const toolCallId = optionalString(block.tool_use_id);
      if (!toolCallId) continue;
      const isError = block.is_error === true;
      const pending = this.pendingCreates.get(toolCallId);
      if (pending) {
        this.pendingCreates.delete(toolCallId);
        if (isError) continue;
        // tool_use_result belongs to the whole line, so it only names the task when unambiguous.
        const taskId =
          (results.length === 1 ? createdTaskId(line.tool_use_result) : undefined) ??
          /Task #(\w+) created/.exec(outputText(block.content))?.[1] ??
          this.nextTaskId();
        this.tasks.push({ taskId, ...pending, status: 'pending' });
        events.push(...this.publishTasks());
        continue;
      }
      if (this.hiddenToolUseIds.has(toolCallId)) continue;
      // A result for a call never started (or already finished) would only confuse the log.
      if (!this.toolUseIds.has(toolCallId) || this.finishedToolUseIds.has(toolCallId)) continue;
      this.finishedToolUseIds.add(toolCallId);
      events.push({
        type: 'tool.finished',
        data: { toolCallId, output: outputText(block.content), isError },
      });
    }
    return events;
  }

  private nextTaskId(): string {
    const numbers = this.tasks.map((task) => Number(task.taskId)).filter(Number.isInteger);
    return String(Math.max(0, ...numbers) + 1);
  }

  private onResult(line: JsonObject): NewBuildEvent[] {
    const subtype = optionalString(line.subtype);
    // An API failure can say `subtype: "success"` with `is_error: true`.
    const failed = line.is_error === true || (subtype?.startsWith('error') ?? false);
    let usage = isObject(line.usage) ? { ...line.usage } : null;
    if (typeof line.total_cost_usd === 'number') usage = { ...usage, costUsd: line.total_cost_usd };
    if (!failed) return this.finishRun({ status: 'completed', error: null, usage });
    const errors = Array.isArray(line.errors)
      ? line.errors.filter((e) => typeof e === 'string').join('; ')
      : '';
    const error = optionalString(line.result)?.trim() || errors || subtype || 'Agent run failed';
    return this.finishRun({ status: 'failed', error, usage });
  }
}

function createdTaskId(toolUseResult: unknown): string | undefined {
  if (!isObject(toolUseResult) || !isObject(toolUseResult.task)) return undefined;
  const id = toolUseResult.task.id;
  return typeof id === 'number' ? String(id) : optionalString(id);
}
