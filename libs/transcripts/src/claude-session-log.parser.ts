import type { NewBuildEvent } from '#contracts';
import { isObject, optionalString, outputText, type JsonObject, type Outcome } from './base-parser.js';
import { ClaudeConversationParser, SUB_AGENT_TOOLS } from './claude-conversation.js';

/** How the main agent's conversation stands after a line (the outcome rule reads the last). */
type Standing =
  | { kind: 'none' }
  | { kind: 'working' }
  | { kind: 'answered' }
  | { kind: 'api-error'; text: string }
  | { kind: 'interrupted' };

const INTERRUPTED = /^\[Request interrupted by user/;
/** A slash command run in the terminal (`/compact`) and its output: not a turn of the agent. */
const LOCAL_COMMAND = /^<(command-name|command-message|local-command-[a-z]+)>/;

/**
 * Claude Code's own session files, `~/.claude/projects/<project>/<session>.jsonl`: one line
 * per message (`user` / `assistant` with `uuid` / `parentUuid`), plus bookkeeping lines
 * (summaries, snapshots, queue operations, attachments) that the build does not show.
 *
 * Sub-agents appear three ways: `progress` lines whose `data` is an `agent_progress`
 * carrying the sub-agent's message (`parentToolUseID` names its call); `isSidechain` lines
 * (the sub-agent's own file, `agentId`), linked to the `Agent` / `Task` call whose prompt
 * they start with or whose result names their agent; and stream-json's `parent_tool_use_id`.
 *
 * A log has no result line. Its outcome is the main agent's last word (see docs/contract.md):
 * completed when it ended on an answer with no call waiting, failed on an API error or
 * mid-turn, cancelled when the user interrupted it.
 */
export class ClaudeSessionLogParser extends ClaudeConversationParser {
  private standing: Standing = { kind: 'none' };
  private firstPrompt: string | null = null;
  /** Sub-agent id → its call, and the prompts of sub-agent calls not yet linked. */
  private readonly agentCalls = new Map<string, string>();
  private readonly agentPrompts = new Map<string, string>();

  protected handle(line: JsonObject & { type: string }): NewBuildEvent[] {
    switch (line.type) {
      case 'assistant':
      case 'user':
        return this.onMessage(line, this.parentOf(line));
      case 'progress':
        return this.onProgress(line);
      default:
        // summary, file-history-snapshot, queue-operation, attachment, system (compact_boundary,
        // stop_hook_summary, …): bookkeeping of the CLI, nothing a build shows.
        return this.ignore();
    }
  }

  /** `main` is false for a sub-agent's line, linked to its call (`parent`) or not. */
  private onMessage(line: JsonObject, parent: string | null): NewBuildEvent[] {
    if (!isObject(line.message)) return this.ignore();
    const main = parent === null && line.isSidechain !== true;
    return line.type === 'assistant'
      ? this.onAssistant(line, line.message, parent, main)
      : this.onUser(line, line.message, parent, main);
  }

  private onAssistant(
    line: JsonObject,
    message: JsonObject,
    parent: string | null,
    main: boolean,
  ): NewBuildEvent[] {
    const model = optionalString(message.model);
    const synthetic = model === '<synthetic>';
    const start =
      this.sessionStarted || !main
        ? []
        : this.startSession(synthetic ? null : (model ?? null), this.firstPrompt);
    const events = [...start, ...this.assistantMessage(message, parent, main)];
    if (main) {
      this.rememberAgentPrompts(message);
      const apiError = line.isApiErrorMessage === true || (synthetic && line.error !== undefined);
      if (apiError) {
        this.standing = { kind: 'api-error', text: textOf(message.content) || 'API error' };
      } else if (hasToolUse(message.content) || this.hasOpenCalls) {
        this.standing = { kind: 'working' };
      } else if (textOf(message.content)) {
        this.standing = { kind: 'answered' };
      }
    }
    return events;
  }

  private onUser(
    line: JsonObject,
    message: JsonObject,
    parent: string | null,
    main: boolean,
  ): NewBuildEvent[] {
    const toolUseResult = line.toolUseResult ?? line.tool_use_result;
    if (main) this.linkAgent(toolUseResult, message);
    const events = this.userMessage(message, toolUseResult);
    // Compaction summaries, command outputs and other injected lines are not the user speaking.
    const injected = line.isMeta === true || line.isCompactSummary === true || line.isSynthetic === true;
    if (!main || injected) return events;
    const text = typeof message.content === 'string' ? message.content : textOf(message.content);
    if (LOCAL_COMMAND.test(text.trim())) return events;
    if (INTERRUPTED.test(text.trim())) {
      this.standing = { kind: 'interrupted' };
    } else if (text.trim() !== '' || hasToolResult(message.content)) {
      this.firstPrompt ??= text.trim() || null;
      this.standing = { kind: 'working' };
    }
    return events;
  }

  /** A sub-agent's message relayed into the main log. */
  private onProgress(line: JsonObject): NewBuildEvent[] {
    const data = line.data;
    if (!isObject(data) || data.type !== 'agent_progress' || !isObject(data.message)) return this.ignore();
    const parent = optionalString(line.parentToolUseID) ?? optionalString(data.parentToolUseID);
    const agentId = optionalString(data.agentId);
    if (parent && agentId) this.agentCalls.set(agentId, parent);
    const inner = data.message;
    if (inner.type !== 'assistant' && inner.type !== 'user') return this.ignore();
    return this.onMessage(inner, parent ?? null);
  }

  /** The sub-agent call a line belongs to, null for the main agent. */
  private parentOf(line: JsonObject): string | null {
    const explicit = optionalString(line.parent_tool_use_id);
    if (explicit) return explicit;
    if (line.isSidechain !== true) return null;
    const agentId = optionalString(line.agentId);
    const known = agentId === undefined ? undefined : this.agentCalls.get(agentId);
    if (known) return known;
    // A sub-agent's log begins with its prompt: the call that sent that prompt is its parent.
    const message = isObject(line.message) ? line.message : {};
    const prompt = typeof message.content === 'string' ? message.content : textOf(message.content);
    const byPrompt = this.agentPrompts.get(prompt.trim());
    if (byPrompt && agentId) this.agentCalls.set(agentId, byPrompt);
    return byPrompt ?? null;
  }

  private rememberAgentPrompts(message: JsonObject): void {
    if (!Array.isArray(message.content)) return;
    for (const block of message.content) {
      if (
        !isObject(block) ||
        block.type !== 'tool_use' ||
        !SUB_AGENT_TOOLS.has(optionalString(block.name) ?? '')
      )
        continue;
      const id = optionalString(block.id);
      const prompt = isObject(block.input) ? optionalString(block.input.prompt)?.trim() : undefined;
      if (id && prompt) this.agentPrompts.set(prompt, this.calls.latest(id) ?? id);
    }
  }

  /** A sub-agent call's result names its agent: later sidechain lines of that agent link to it. */
  private linkAgent(toolUseResult: unknown, message: JsonObject): void {
    if (!isObject(toolUseResult) || !Array.isArray(message.content)) return;
    const agentId = optionalString(toolUseResult.agentId);
    const block: unknown = (message.content as unknown[]).find(
      (item) => isObject(item) && item.type === 'tool_result',
    );
    const rawId = isObject(block) ? optionalString(block.tool_use_id) : undefined;
    if (agentId && rawId) this.agentCalls.set(agentId, this.calls.latest(rawId) ?? rawId);
  }

  protected override outcomeWithoutResult(): Outcome {
    switch (this.standing.kind) {
      case 'answered':
        return { status: 'completed', error: null, usage: null };
      case 'api-error':
        return { status: 'failed', error: this.standing.text, usage: null };
      case 'interrupted':
        return { status: 'cancelled', error: 'Interrupted by the user', usage: null };
      case 'working':
        return { status: 'failed', error: 'Session log ended mid-turn', usage: null };
      case 'none':
        return { status: 'failed', error: 'Session log holds no conversation', usage: null };
    }
  }
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return outputText(content.filter((block) => isObject(block) && block.type === 'text'));
}

function hasToolUse(content: unknown): boolean {
  return Array.isArray(content) && content.some((block) => isObject(block) && block.type === 'tool_use');
}

function hasToolResult(content: unknown): boolean {
  return Array.isArray(content) && content.some((block) => isObject(block) && block.type === 'tool_result');
}
