import { readAllEvents, toNdjson } from './event-log.js';

describe('readAllEvents', () => {
  it('reads page after page until the latest seq', async () => {
    const events = Array.from({ length: 5 }, (_, i) => ({ seq: i + 1 }));
    const asked: number[] = [];
    const read = (after: number) => {
      asked.push(after);
      const page = events.filter((event) => event.seq > after).slice(0, 2);
      return Promise.resolve({ events: page, seq: page.at(-1)?.seq ?? after, latestSeq: 5 });
    };
    await expect(readAllEvents(read)).resolves.toEqual(events);
    expect(asked).toEqual([0, 2, 4]);
  });

  it('stops on an empty page', async () => {
    await expect(readAllEvents(() => Promise.resolve({ events: [], seq: 0, latestSeq: 9 }))).resolves.toEqual(
      [],
    );
  });
});

describe('toNdjson', () => {
  it('writes one JSON object a line', () => {
    expect(toNdjson([{ a: 1 }, { b: 'x\ny' }])).toBe('{"a":1}\n{"b":"x\\ny"}\n');
    expect(toNdjson([])).toBe('');
  });
});
