import { parsePatch, structuredPatch, type StructuredPatchHunk } from 'diff';

/** A file a tool call changes, with what its input says of the change. */
export interface FileChange {
  path: string;
  kind: 'add' | 'update' | 'delete';
  /** Text before and after (Claude's Edit, MultiEdit, Write); absent when the input has none. */
  before?: string;
  after?: string;
  /** A unified diff the input carries (some Codex versions put one in `file_change`). */
  patch?: string;
}

export type DiffLine = { kind: 'add' | 'remove' | 'context' | 'gap'; text: string };

/** Past this many lines a diff is cut (a Write of a large file is all additions). */
export const MAX_DIFF_LINES = 400;

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The files that an Edit, MultiEdit or Write call (Claude Code) or a `file_change` item
 * (Codex) changes; null for any other call or an input of another shape. Cheap: no diffing.
 */
export function fileChanges(name: string, input: unknown): FileChange[] | null {
  if (!isRecord(input)) return null;
  const path = text(input.file_path);
  switch (name) {
    case 'Edit': {
      const before = text(input.old_string);
      const after = text(input.new_string);
      return path !== undefined && before !== undefined && after !== undefined
        ? [{ path, kind: 'update', before, after }]
        : null;
    }
    case 'MultiEdit': {
      if (path === undefined || !Array.isArray(input.edits)) return null;
      const edits = input.edits.filter(isRecord).flatMap((edit): FileChange[] => {
        const before = text(edit.old_string);
        const after = text(edit.new_string);
        return before !== undefined && after !== undefined ? [{ path, kind: 'update', before, after }] : [];
      });
      return edits.length > 0 ? edits : null;
    }
    case 'Write': {
      const content = text(input.content);
      return path !== undefined && content !== undefined
        ? [{ path, kind: 'add', before: '', after: content }]
        : null;
    }
    case 'file_change': {
      if (!Array.isArray(input.changes)) return null;
      const changes = input.changes.filter(isRecord).flatMap((change): FileChange[] => {
        const changed = text(change.path);
        if (changed === undefined) return [];
        const kind = change.kind === 'add' || change.kind === 'delete' ? change.kind : 'update';
        const patch = text(change.unified_diff) ?? text(change.diff);
        return [{ path: changed, kind, ...(patch === undefined ? {} : { patch }) }];
      });
      return changes.length > 0 ? changes : null;
    }
    default:
      return null;
  }
}

/** The change as diff lines (3 lines of context, `gap` between hunks), at most MAX_DIFF_LINES. */
export function diffLines(change: FileChange): { lines: DiffLine[]; cut: number } {
  let hunks: StructuredPatchHunk[] = [];
  if (change.before !== undefined && change.after !== undefined) {
    hunks = structuredPatch(change.path, change.path, change.before, change.after, '', '', {
      context: 3,
    }).hunks;
  } else if (change.patch !== undefined) {
    hunks = parsePatch(change.patch).flatMap((patch) => patch.hunks);
  }
  const lines: DiffLine[] = [];
  hunks.forEach((hunk, index) => {
    if (index > 0) lines.push({ kind: 'gap', text: '…' });
    for (const line of hunk.lines) {
      // "\ No newline at end of file" says nothing a reader of an edit needs.
      if (line.startsWith('\\')) continue;
      const kind = line[0] === '+' ? 'add' : line[0] === '-' ? 'remove' : 'context';
      lines.push({ kind, text: line.slice(1) });
    }
  });
  return { lines: lines.slice(0, MAX_DIFF_LINES), cut: Math.max(0, lines.length - MAX_DIFF_LINES) };
}
