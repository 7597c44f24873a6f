/**
 * Gives every tool call of a transcript its own toolCallId. Agents reuse their call ids:
 * Codex item ids restart at `item_0` with every run, and some OpenAI-compatible backends
 * behind Claude Code number calls per message. A raw id is "open" from its call's start to
 * its result; a start under a raw id that is not open is a new call, and gets `<id>#2`,
 * `<id>#3`, … when the id was used before.
 */
export class ToolCallIds {
  private readonly used = new Set<string>();
  private readonly open = new Map<string, string>();
  private readonly latestIds = new Map<string, string>();

  /** The toolCallId of a call starting under `rawId`; null when that call is already open. */
  start(rawId: string): string | null {
    if (this.open.has(rawId)) return null;
    let id = rawId;
    for (let n = 2; this.used.has(id); n++) id = `${rawId}#${n}`;
    this.used.add(id);
    this.open.set(rawId, id);
    this.latestIds.set(rawId, id);
    return id;
  }

  /** The toolCallId last given to `rawId`, open or finished (a sub-agent's parent may be done). */
  latest(rawId: string): string | undefined {
    return this.latestIds.get(rawId);
  }

  /** The open call under `rawId`, if any. */
  current(rawId: string): string | undefined {
    return this.open.get(rawId);
  }

  /** Closes the open call under `rawId`; returns its toolCallId (undefined when none was open). */
  finish(rawId: string): string | undefined {
    const id = this.open.get(rawId);
    this.open.delete(rawId);
    return id;
  }
}
