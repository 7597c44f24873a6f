/** What the timeline places: calls by the seq of their tool.started, messages by their seq. */
interface PlacedCall {
  startedSeq: number;
  todoIndex: number | null;
}
interface PlacedMessage {
  seq: number;
}

export type TimelineEntry<C, M> = { kind: 'call'; call: C } | { kind: 'message'; message: M };

export interface Timeline<C, M> {
  /** Messages while there is no tool call yet: shown above the todo list. */
  lead: TimelineEntry<C, M>[];
  /** By todo index; `null` for calls outside the todo list. */
  groups: Map<number | null, TimelineEntry<C, M>[]>;
}

/**
 * Calls and messages in seq order, grouped by todo. A message carries no todo: it goes
 * right after the call before it (in that call's group), which is where it was said; one
 * before the first call goes right before that call, which it introduces.
 */
export function buildTimeline<C extends PlacedCall, M extends PlacedMessage>(
  todoIndexes: ReadonlySet<number>,
  calls: readonly C[],
  messages: readonly M[],
): Timeline<C, M> {
  const lead: TimelineEntry<C, M>[] = [];
  const groups = new Map<number | null, TimelineEntry<C, M>[]>();
  const add = (key: number | null, entry: TimelineEntry<C, M>) => {
    const group = groups.get(key);
    if (group) group.push(entry);
    else groups.set(key, [entry]);
  };
  const sortedCalls = [...calls].sort((a, b) => a.startedSeq - b.startedSeq);
  const sortedMessages = [...messages].sort((a, b) => a.seq - b.seq);
  let lastKey: number | null | undefined;
  let m = 0;
  const placeMessagesBefore = (seq: number) => {
    for (; m < sortedMessages.length && sortedMessages[m].seq < seq; m++) {
      const entry = { kind: 'message', message: sortedMessages[m] } as const;
      if (lastKey === undefined) lead.push(entry);
      else add(lastKey, entry);
    }
  };
  for (const call of sortedCalls) {
    placeMessagesBefore(call.startedSeq);
    lastKey = call.todoIndex !== null && todoIndexes.has(call.todoIndex) ? call.todoIndex : null;
    // The opening messages move from the lead to just before the first call.
    for (const entry of lead.splice(0)) add(lastKey, entry);
    add(lastKey, { kind: 'call', call });
  }
  placeMessagesBefore(Infinity);
  return { lead, groups };
}
