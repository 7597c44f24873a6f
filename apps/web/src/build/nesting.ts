/** Sub-agent calls (with `parentToolCallId`) go under their Agent/Task call, not in the timeline. */
interface NestedCall {
  id: string;
  parentToolCallId: string | null;
}

export interface Nesting<C> {
  /** Calls whose parent is not a known call: the timeline's. */
  topLevel: C[];
  /** Each parent's direct sub-agent calls, in the order given. */
  children: Map<string, C[]>;
}

export function nestCalls<C extends NestedCall>(calls: readonly C[]): Nesting<C> {
  const ids = new Set(calls.map((call) => call.id));
  const topLevel: C[] = [];
  const children = new Map<string, C[]>();
  for (const call of calls) {
    const parent = call.parentToolCallId;
    // A parent that never started (or the call itself) cannot hold it: it stays in the timeline.
    if (parent === null || parent === call.id || !ids.has(parent)) topLevel.push(call);
    else children.set(parent, [...(children.get(parent) ?? []), call]);
  }
  return { topLevel, children };
}

/** Every call under `id`, however deep (for the count a collapsed parent shows). */
export function countDescendants(children: ReadonlyMap<string, readonly NestedCall[]>, id: string): number {
  let count = 0;
  const seen = new Set([id]);
  const stack = [id];
  while (stack.length > 0) {
    for (const child of children.get(stack.pop()!) ?? []) {
      if (seen.has(child.id)) continue;
      seen.add(child.id);
      count++;
      stack.push(child.id);
    }
  }
  return count;
}

/** `id` and the calls above it, nearest first: what a deep link to `id` opens. */
export function ancestry(byId: ReadonlyMap<string, NestedCall>, id: string): string[] {
  const chain: string[] = [];
  for (let at = byId.get(id); at && !chain.includes(at.id); at = byId.get(at.parentToolCallId ?? '')) {
    chain.push(at.id);
  }
  return chain;
}
