/** The whole log of a build as NDJSON: every page of `GET …/events`, one event a line. */
interface Page<E> {
  events: E[];
  seq: number;
  latestSeq: number;
}

export async function readAllEvents<E>(readPage: (after: number) => Promise<Page<E>>): Promise<E[]> {
  const all: E[] = [];
  let after = 0;
  for (;;) {
    const page = await readPage(after);
    all.push(...page.events);
    // An empty page, or one that reaches the latest seq, is the end (a live build's later events are not asked for).
    if (page.events.length === 0 || page.seq >= page.latestSeq || page.seq <= after) return all;
    after = page.seq;
  }
}

export function toNdjson(events: readonly unknown[]): string {
  return events.map((event) => `${JSON.stringify(event)}\n`).join('');
}
