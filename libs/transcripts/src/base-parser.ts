import { parseUntrustedJson, TODO_STATUSES } from '#contracts';
import type { FinishedStatus, NewBuildEvent, Todo, TodoStatus } from '#contracts';
import type { ParserContext, ParserStats, TranscriptParser } from './transcript-parser.js';

export type JsonObject = Record<string, unknown>;

/** Thrown by a format's handler when a line lacks what its type requires. */
export class MalformedLineError extends Error {}

/** How the last run of the transcript ended, emitted by `end()`. */
export interface Outcome {
  status: FinishedStatus;
  error: string | null;
  usage: Record<string, unknown> | null;
}

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function optionalString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export function isTodoStatus(value: unknown): value is TodoStatus {
  return (TODO_STATUSES as readonly unknown[]).includes(value);
}

/** Tool output as text: text blocks joined by newlines, anything else as JSON. */
export function outputText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (content === null || content === undefined) return '';
  if (Array.isArray(content)) {
    return content
      .map((block) => {
        if (typeof block === 'string') return block;
        if (isObject(block) && block.type === 'text' && typeof block.text === 'string') return block.text;
        // Base64 image data is useless to a reader and huge on the wire.
        if (isObject(block) && block.type === 'image') return '[image]';
        return JSON.stringify(block) ?? '';
      })
      .join('\n');
  }
  return JSON.stringify(content) ?? '';
}

/**
 * What every format shares: line framing, stats, one `session.started` first, the todo list
 * (for todoIndex and the no-result rule) and the remembered outcome that `end()` reports.
 */
export abstract class BaseTranscriptParser implements TranscriptParser {
  readonly stats: ParserStats = { lines: 0, notJson: 0, malformed: 0, ignored: 0 };
  protected todos: Todo[] = [];
  protected outcome: Outcome | null = null;
  private started = false;
  private ended = false;

  constructor(protected readonly context: ParserContext) {}

  /** Events for one parsed JSON object whose `type` is a string; may throw MalformedLineError. */
  protected abstract handle(line: JsonObject & { type: string }): NewBuildEvent[];

  parseLine(line: string): NewBuildEvent[] {
    const text = line.trim();
    if (text === '' || this.ended) return [];
    this.stats.lines++;
    let value: unknown;
    try {
      // A live agent's stdout never passed the API's checks: nesting past MAX_JSON_DEPTH would
      // reach JSON.stringify and jsonb recursion, so such a line is malformed like bad JSON.
      value = parseUntrustedJson(text);
    } catch {
      // A captured stream holds stderr noise too ("npm warn …", "[claude-code:…] …").
      if (!text.startsWith('{')) return this.notJson();
      return this.malformed();
    }
    if (!isObject(value) || typeof value.type !== 'string') return this.malformed();
    try {
      return this.withStart(this.handle(value as JsonObject & { type: string }));
    } catch {
      // Whatever a line's shape breaks costs that line only: parsing never throws.
      return this.malformed();
    }
  }

  /**
   * One already-parsed line, for a sender that must be told what is wrong (the ingest API's
   * JSON body): a line without the shape its type needs throws MalformedLineError instead of
   * being skipped.
   */
  parseValue(value: JsonObject & { type: string }): NewBuildEvent[] {
    if (this.ended) return [];
    this.stats.lines++;
    return this.withStart(this.handle(value));
  }

  /** The transcript's own ending arrived (a result line, a `session.finished`): `end()` reports it. */
  get outcomeKnown(): boolean {
    return this.outcome !== null;
  }

  end(failure: string | null = null): NewBuildEvent[] {
    if (this.ended) return [];
    this.ended = true;
    const events: NewBuildEvent[] = [...this.startSession(null)];
    if (this.stats.notJson > 0) {
      events.push(this.message(`Skipped ${this.stats.notJson} non-JSON line(s)`));
    }
    if (this.stats.malformed > 0) {
      events.push(this.message(`Skipped ${this.stats.malformed} malformed transcript line(s)`));
    }
    const outcome =
      this.outcome ??
      (failure === null
        ? this.outcomeWithoutResult()
        : { status: 'failed' as const, error: failure, usage: null });
    events.push({
      type: 'session.finished',
      data: {
        status: outcome.status,
        error: outcome.error,
        ...(outcome.usage ? { usage: outcome.usage } : {}),
      },
    });
    return events;
  }

  /** `session.started` the first time only. */
  protected startSession(model: string | null, prompt: string | null = null): NewBuildEvent[] {
    if (this.started) return [];
    this.started = true;
    const { agentId, projectName } = this.context;
    return [
      {
        type: 'session.started',
        data: {
          agentId,
          model: model ?? this.context.model,
          projectName,
          prompt: this.context.prompt ?? prompt,
        },
      },
    ];
  }

  protected get sessionStarted(): boolean {
    return this.started;
  }

  /** A later run in the same transcript begins: its own result (or none) decides the ending. */
  protected newRun(): void {
    this.outcome = null;
  }

  /** Remembers how a run ended; a failure is also told at once, as a later run may succeed. */
  protected finishRun(outcome: Outcome): NewBuildEvent[] {
    this.outcome = outcome;
    return outcome.status === 'failed'
      ? [this.message(`Run failed: ${outcome.error ?? 'unknown error'}`)]
      : [];
  }

  /** Replaces the todo list; emits only when it actually changed. */
  protected setTodos(next: Todo[]): NewBuildEvent[] {
    const todos = next.map(({ content, activeForm, status }) => ({ content, activeForm, status }));
    if (JSON.stringify(todos) === JSON.stringify(this.todos)) return [];
    this.todos = todos;
    return [{ type: 'todos.updated', data: { todos: todos.map((todo) => ({ ...todo })) } }];
  }

  protected todoIndex(): number | null {
    const index = this.todos.findIndex((todo) => todo.status === 'in_progress');
    return index === -1 ? null : index;
  }

  protected message(text: string): NewBuildEvent {
    return { type: 'message', data: { role: 'assistant', text } };
  }

  protected ignore(): NewBuildEvent[] {
    this.stats.ignored++;
    return [];
  }

  private malformed(): NewBuildEvent[] {
    this.stats.malformed++;
    return [];
  }

  private notJson(): NewBuildEvent[] {
    this.stats.notJson++;
    return [];
  }

  /** Keeps the log well-formed even when a transcript lacks its init line. */
  private withStart(events: NewBuildEvent[]): NewBuildEvent[] {
    if (events.length === 0 || this.started) return events;
    return [...this.startSession(null), ...events];
  }

  /** How a transcript without a result line ended: by default, by its todo list. */
  protected outcomeWithoutResult(): Outcome {
    const total = this.todos.length;
    const completed = this.todos.filter((todo) => todo.status === 'completed').length;
    if (total > 0 && completed === total) return { status: 'completed', error: null, usage: null };
    const detail = total > 0 ? ` (${completed} of ${total} todos completed)` : '';
    return { status: 'failed', error: `Transcript ended without a final result${detail}`, usage: null };
  }
}
