import { FINISHED_STATUSES } from '#contracts';
import type { FinishedStatus, NewBuildEvent, Todo } from '#contracts';
import {
  BaseTranscriptParser,
  MalformedLineError,
  isObject,
  isTodoStatus,
  outputText,
  type JsonObject,
} from './base-parser.js';

/** Lines that are already contract events without seq: `{ type, data }` (`seq` and `at` are ignored). */
export class BuildcastNdjsonParser extends BaseTranscriptParser {
  private startSeen = false;
  private readonly toolCallIds = new Set<string>();

  protected handle(line: JsonObject & { type: string }): NewBuildEvent[] {
    const data = line.data;
    if (!isObject(data)) throw new MalformedLineError('line without data {}');
    switch (line.type) {
      case 'session.started':
        return this.onStarted(data);
      case 'todos.updated':
        return this.setTodos(parseTodos(data.todos));
      case 'tool.started':
        return this.onToolStarted(data);
      case 'tool.finished':
        return this.onToolFinished(data);
      case 'message': {
        if (typeof data.text !== 'string' || (data.role !== undefined && data.role !== 'assistant')) {
          throw new MalformedLineError('message needs text and role "assistant"');
        }
        return [this.message(data.text)];
      }
      case 'session.finished':
        return this.onFinished(data);
      default:
        return this.ignore();
    }
  }

  private onStarted(data: JsonObject): NewBuildEvent[] {
    const model = nullableString(data.model, 'model');
    const prompt = nullableString(data.prompt, 'prompt');
    if (this.startSeen) {
      this.newRun();
      return [];
    }
    this.startSeen = true;
    // Who runs it and for which project is the runner's to say, not the file's.
    return this.startSession(model, prompt);
  }

  private onToolStarted(data: JsonObject): NewBuildEvent[] {
    const { toolCallId, name, todoIndex, parentToolCallId } = data;
    if (typeof toolCallId !== 'string' || toolCallId === '' || typeof name !== 'string' || name === '') {
      throw new MalformedLineError('tool.started needs toolCallId and name');
    }
    const validIndex = todoIndex === null || (Number.isInteger(todoIndex) && (todoIndex as number) >= 0);
    if (todoIndex !== undefined && !validIndex) throw new MalformedLineError('bad todoIndex');
    const validParent =
      parentToolCallId === null || (typeof parentToolCallId === 'string' && parentToolCallId !== '');
    if (parentToolCallId !== undefined && !validParent) throw new MalformedLineError('bad parentToolCallId');
    if (this.toolCallIds.has(toolCallId)) return this.ignore();
    this.toolCallIds.add(toolCallId);
    const index = todoIndex === undefined ? this.todoIndex() : (todoIndex as number | null);
    const parent = typeof parentToolCallId === 'string' ? { parentToolCallId } : {};
    return [
      {
        type: 'tool.started',
        data: { toolCallId, name, input: data.input ?? {}, todoIndex: index, ...parent },
      },
    ];
  }

  private onToolFinished(data: JsonObject): NewBuildEvent[] {
    const { toolCallId, isError, outputTruncated } = data;
    if (typeof toolCallId !== 'string' || toolCallId === '' || typeof isError !== 'boolean') {
      throw new MalformedLineError('tool.finished needs toolCallId and isError');
    }
    if (outputTruncated !== undefined && typeof outputTruncated !== 'boolean') {
      throw new MalformedLineError('bad outputTruncated');
    }
    const output = outputText(data.output);
    return [
      {
        type: 'tool.finished',
        data: { toolCallId, output, isError, ...(outputTruncated === true ? { outputTruncated } : {}) },
      },
    ];
  }

  private onFinished(data: JsonObject): NewBuildEvent[] {
    const { status, usage } = data;
    if (!(FINISHED_STATUSES as readonly unknown[]).includes(status))
      throw new MalformedLineError('bad status');
    if (usage !== undefined && usage !== null && !isObject(usage)) throw new MalformedLineError('bad usage');
    const error = nullableString(data.error, 'error');
    return this.finishRun({ status: status as FinishedStatus, error, usage: usage ?? null });
  }
}

function nullableString(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new MalformedLineError(`${field} must be a string`);
  return value;
}

function parseTodos(value: unknown): Todo[] {
  if (!Array.isArray(value)) throw new MalformedLineError('todos.updated needs todos[]');
  return value.map((todo) => {
    if (!isObject(todo) || typeof todo.content !== 'string' || !isTodoStatus(todo.status)) {
      throw new MalformedLineError('todo needs content and a valid status');
    }
    if (todo.activeForm !== undefined && typeof todo.activeForm !== 'string') {
      throw new MalformedLineError('activeForm must be a string');
    }
    return { content: todo.content, activeForm: todo.activeForm || todo.content, status: todo.status };
  });
}
