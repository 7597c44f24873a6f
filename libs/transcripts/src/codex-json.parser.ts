import type { NewBuildEvent, Todo } from '#contracts';
import {
  BaseTranscriptParser,
  MalformedLineError,
  isObject,
  optionalString,
  outputText,
  type JsonObject,
  type Outcome,
} from './base-parser.js';
import { ToolCallIds } from './tool-call-ids.js';

const TOOL_ITEM_TYPES = new Set(['command_execution', 'file_change', 'mcp_tool_call', 'web_search']);

/**
 * `codex exec --json`. Item ids restart at `item_0` with every run, so an item is known by
 * its id only while it is open. A top-level `error` inside a turn is often transient
 * ("Reconnecting... 2/5"): it is a warning, and ends the run only if the turn never does.
 */
export class CodexJsonParser extends BaseTranscriptParser {
  private threadSeen = false;
  private readonly calls = new ToolCallIds();
  private saidItems = new Set<string>();
  private turnOpen = false;
  /** The last top-level error of the open turn: the reason if the turn never ends. */
  private turnError: string | null = null;
  private lastWarning: string | null = null;

  protected handle(line: JsonObject & { type: string }): NewBuildEvent[] {
    switch (line.type) {
      case 'thread.started':
        return this.onThreadStarted();
      case 'turn.started':
        this.newRun();
        this.saidItems = new Set();
        this.turnOpen = true;
        this.turnError = null;
        return [];
      case 'item.started':
      case 'item.updated':
      case 'item.completed':
        return this.onItem(line.type, line.item);
      case 'turn.completed': {
        this.turnOpen = false;
        const usage = isObject(line.usage) ? { ...line.usage } : null;
        return [...this.settleTodos(), ...this.finishRun({ status: 'completed', error: null, usage })];
      }
      case 'turn.failed': {
        this.turnOpen = false;
        const error =
          (isObject(line.error) ? optionalString(line.error.message) : undefined) ?? 'Turn failed';
        return [...this.settleTodos(), ...this.finishRun({ status: 'failed', error, usage: null })];
      }
      case 'error':
        return this.onError(optionalString(line.message)?.trim() || 'Codex error');
      default:
        return this.ignore();
    }
  }

  private onError(message: string): NewBuildEvent[] {
    // Codex follows turn.failed with a generic exit error; the turn's own reason says more.
    if (this.outcome?.status === 'failed') return [];
    if (!this.turnOpen) return this.finishRun({ status: 'failed', error: message, usage: null });
    this.turnError = message;
    return this.warnOnce(message);
  }

  /** One warning per kind of message: retries differ only in their counters. */
  private warnOnce(message: string): NewBuildEvent[] {
    const kind = message.replace(/\d+/g, '#');
    if (kind === this.lastWarning) return [];
    this.lastWarning = kind;
    return [this.message(`Warning: ${message}`)];
  }

  protected override outcomeWithoutResult(): Outcome {
    if (this.turnOpen && this.turnError !== null) {
      return { status: 'failed', error: this.turnError, usage: null };
    }
    return super.outcomeWithoutResult();
  }

  private onThreadStarted(): NewBuildEvent[] {
    if (!this.threadSeen) {
      this.threadSeen = true;
      return this.startSession(null);
    }
    this.saidItems = new Set();
    this.newRun();
    return [];
  }

  private onItem(phase: string, item: unknown): NewBuildEvent[] {
    if (!isObject(item) || typeof item.id !== 'string' || typeof item.type !== 'string') {
      throw new MalformedLineError('item event without item {id, type}');
    }
    const completed = phase === 'item.completed';
    if (TOOL_ITEM_TYPES.has(item.type))
      return this.onToolItem(item as JsonObject & { id: string }, completed);
    switch (item.type) {
      case 'todo_list':
        return this.onTodoList(item.items);
      case 'agent_message': {
        const text = optionalString(item.text)?.trim();
        return completed && text ? this.sayOnce(item.id, text) : [];
      }
      case 'error': {
        const text = optionalString(item.message)?.trim();
        return completed && text ? this.sayOnce(item.id, `Warning: ${text}`) : [];
      }
      case 'reasoning':
        return [];
      default:
        return this.ignore();
    }
  }

  private sayOnce(itemId: string, text: string): NewBuildEvent[] {
    if (this.saidItems.has(itemId)) return [];
    this.saidItems.add(itemId);
    return [this.message(text)];
  }

  private onToolItem(item: JsonObject & { id: string }, completed: boolean): NewBuildEvent[] {
    const events: NewBuildEvent[] = [];
    let toolCallId = this.calls.current(item.id);
    if (toolCallId === undefined) {
      toolCallId = this.calls.start(item.id) ?? item.id;
      const { name, input } = describeTool(item);
      events.push({ type: 'tool.started', data: { toolCallId, name, input, todoIndex: this.todoIndex() } });
    }
    if (completed) {
      this.calls.finish(item.id);
      events.push({ type: 'tool.finished', data: { toolCallId, ...toolResult(item) } });
    }
    return events;
  }

  private onTodoList(items: unknown): NewBuildEvent[] {
    if (!Array.isArray(items)) throw new MalformedLineError('todo_list without items[]');
    const todos: Todo[] = [];
    for (const item of items) {
      if (!isObject(item)) continue;
      const text = optionalString(item.text);
      if (!text) continue;
      todos.push({
        content: text,
        activeForm: text,
        status: item.completed === true ? 'completed' : 'pending',
      });
    }
    // Codex has no "in progress": the first open item is the one being worked on.
    const active = todos.find((todo) => todo.status !== 'completed');
    if (active) active.status = 'in_progress';
    return this.setTodos(todos);
  }

  /** At a turn's end nothing is being worked on any more. */
  private settleTodos(): NewBuildEvent[] {
    return this.setTodos(
      this.todos.map((todo) => (todo.status === 'in_progress' ? { ...todo, status: 'pending' } : todo)),
    );
  }
}

function describeTool(item: JsonObject): { name: string; input: unknown } {
  switch (item.type) {
    case 'command_execution':
      return { name: 'command', input: { command: item.command } };
    case 'file_change':
      return { name: 'file_change', input: { changes: item.changes ?? [] } };
    case 'mcp_tool_call': {
      const server = optionalString(item.server);
      const tool = optionalString(item.tool) ?? 'unknown';
      return { name: server ? `${server}.${tool}` : tool, input: item.arguments ?? {} };
    }
    default:
      return { name: 'web_search', input: { query: item.query } };
  }
}

function toolResult(item: JsonObject): { output: string; isError: boolean } {
  const status = item.status;
  switch (item.type) {
    case 'command_execution': {
      const exitCode = item.exit_code;
      const nonZero = exitCode !== null && exitCode !== undefined && exitCode !== 0;
      return {
        output: outputText(item.aggregated_output),
        isError: status === 'failed' || status === 'declined' || nonZero,
      };
    }
    case 'file_change': {
      const changes = Array.isArray(item.changes) ? item.changes : [];
      const output = changes
        .map((change) =>
          isObject(change) ? `${outputText(change.kind)} ${outputText(change.path)}` : outputText(change),
        )
        .join('\n');
      return { output, isError: status === 'failed' || status === 'declined' };
    }
    case 'mcp_tool_call': {
      const result = item.result;
      const output =
        isObject(result) && Array.isArray(result.content) ? outputText(result.content) : outputText(result);
      // A failed call may say why in `error`, in its result (MCP `isError`), or nowhere (`error: null`).
      const hasError = item.error !== null && item.error !== undefined;
      const resultError = isObject(result) && (result.isError === true || result.is_error === true);
      if (status === 'failed' || hasError || resultError) {
        const message = isObject(item.error)
          ? optionalString(item.error.message)
          : optionalString(item.error);
        return { output: message || output || 'MCP tool call failed', isError: true };
      }
      return { output, isError: false };
    }
    default:
      return { output: '', isError: status === 'failed' };
  }
}
