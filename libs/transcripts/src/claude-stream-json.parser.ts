import type { NewBuildEvent } from '#contracts';
import { MalformedLineError, isObject, optionalString, type JsonObject } from './base-parser.js';
import { ClaudeConversationParser } from './claude-conversation.js';

/**
 * Claude Code `--output-format stream-json --verbose`. Lines of a sub-agent carry
 * `parent_tool_use_id` (its `Agent` / `Task` call). `system` lines other than `init` (hooks,
 * status, thinking_tokens, compact_boundary, task_*) and `rate_limit_event` say nothing
 * the build shows; a later `init` starts another run of the same session.
 */
export class ClaudeStreamJsonParser extends ClaudeConversationParser {
  private initSeen = false;

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
    if (!isObject(line.message) || !Array.isArray(line.message.content)) {
      throw new MalformedLineError('assistant line without message.content[]');
    }
    return this.assistantMessage(line.message, parentOf(line));
  }

  private onUser(line: JsonObject): NewBuildEvent[] {
    if (!isObject(line.message)) throw new MalformedLineError('user line without message');
    const content = line.message.content;
    if (typeof content === 'string') return this.ignore();
    if (!Array.isArray(content)) throw new MalformedLineError('user line without message.content');
    return this.userMessage(line.message, line.tool_use_result);
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

function parentOf(line: JsonObject): string | null {
  return optionalString(line.parent_tool_use_id) ?? null;
}
