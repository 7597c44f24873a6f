import {
  applyEvent,
  type BuildAuditEntry,
  type BuildEvent,
  type MessageView,
  type Snapshot,
  type ToolCallView,
} from '#contracts';
import { BodyPart } from './body-parts.js';
import {
  BETWEEN_CALLS_AND_MESSAGES,
  messageJson,
  previewCall,
  SNAPSHOT_TAIL,
  snapshotHeadJson,
  toolCallJson,
} from './snapshot-json.js';

/**
 * Tool calls and messages are serialized in runs of about this many characters: a changed
 * call costs its run's text (and gzip segment) again, and a body is a few dozen parts.
 */
export const CHUNK_CHARS = 32 * 1024;

/** A run of consecutive items and their JSON, each preceded by `,` unless it is the first item. */
interface Chunk<T> {
  items: readonly T[];
  part: BodyPart;
}

const MIDDLE = BodyPart.of(BETWEEN_CALLS_AND_MESSAGES);
const TAIL = BodyPart.of(SNAPSHOT_TAIL);

/**
 * A snapshot with its JSON body in parts. `apply` folds the events that follow it with the
 * contract's `applyEvent` (the fold the event store writes its projections with) into a new
 * document that shares every part whose items the fold left untouched: the fold replaces
 * the objects it changes and keeps the others, so identity says what changed. Documents are
 * never modified, so one can be served while the next is made from it.
 */
export class SnapshotDocument {
  private constructor(
    /** Tool-call outputs already previews (the stored outputs are not kept). */
    readonly snapshot: Snapshot,
    private readonly previewChars: number,
    private readonly head: BodyPart,
    private readonly calls: readonly Chunk<ToolCallView>[],
    private readonly messages: readonly Chunk<MessageView>[],
  ) {}

  /** The document of a snapshot read whole; outputs longer than `previewChars` become previews (0: whole). */
  static of(snapshot: Snapshot, previewChars: number): SnapshotDocument {
    const toolCalls = snapshot.toolCalls.map((call) => previewCall(call, previewChars));
    return SnapshotDocument.made({ ...snapshot, toolCalls }, previewChars, [], []);
  }

  get seq(): number {
    return this.snapshot.seq;
  }

  /** The body: send the parts' bytes one after the other. */
  get parts(): BodyPart[] {
    return [
      this.head,
      ...this.calls.map((chunk) => chunk.part),
      MIDDLE,
      ...this.messages.map((chunk) => chunk.part),
      TAIL,
    ];
  }

  /**
   * The snapshot after `events` (the session's next events, in seq order) with the session's
   * audit as now (`audit`: no event changes it).
   */
  apply(events: readonly BuildEvent[], audit: BuildAuditEntry[]): SnapshotDocument {
    const before = this.snapshot;
    const folded = events.reduce(applyEvent, before);
    const toolCalls =
      folded.toolCalls === before.toolCalls
        ? before.toolCalls
        : folded.toolCalls.map((call, index) =>
            call === before.toolCalls[index] ? call : previewCall(call, this.previewChars),
          );
    const snapshot = { ...folded, session: { ...folded.session, audit }, toolCalls };
    return SnapshotDocument.made(snapshot, this.previewChars, this.calls, this.messages);
  }

  private static made(
    snapshot: Snapshot,
    previewChars: number,
    calls: readonly Chunk<ToolCallView>[],
    messages: readonly Chunk<MessageView>[],
  ): SnapshotDocument {
    return new SnapshotDocument(
      snapshot,
      previewChars,
      BodyPart.of(snapshotHeadJson(snapshot.seq, snapshot.session, snapshot.todos)),
      rechunk(calls, snapshot.toolCalls, toolCallJson),
      rechunk(messages, snapshot.messages, messageJson),
    );
  }
}

/**
 * Chunks of `items` reusing those of `previous` (chunks of an earlier version of the same
 * list, which only grows at its end) whose items are all the same objects. The last chunk
 * stays open while it is shorter than CHUNK_CHARS: new items join it.
 */
export function rechunk<T>(
  previous: readonly Chunk<T>[],
  items: readonly T[],
  json: (item: T) => string,
): Chunk<T>[] {
  const chunks: Chunk<T>[] = [];
  let start = 0;
  for (const [index, chunk] of previous.entries()) {
    const end = start + chunk.items.length;
    const open = index === previous.length - 1 && chunk.part.bytes.length < CHUNK_CHARS;
    if (end > items.length || (open && end < items.length)) break;
    const same = chunk.items.every((item, offset) => item === items[start + offset]);
    chunks.push(
      same
        ? chunk
        : { items: items.slice(start, end), part: BodyPart.of(itemsJson(items, start, end, json)) },
    );
    start = end;
  }
  while (start < items.length) {
    let text = '';
    let end = start;
    while (end < items.length && text.length < CHUNK_CHARS) text += itemJson(items, end++, json);
    chunks.push({ items: items.slice(start, end), part: BodyPart.of(text) });
    start = end;
  }
  return chunks;
}

function itemsJson<T>(items: readonly T[], start: number, end: number, json: (item: T) => string): string {
  let text = '';
  for (let index = start; index < end; index++) text += itemJson(items, index, json);
  return text;
}

/** An item's JSON in its array: after a comma unless it comes first. */
function itemJson<T>(items: readonly T[], index: number, json: (item: T) => string): string {
  return (index > 0 ? ',' : '') + json(items[index]);
}
