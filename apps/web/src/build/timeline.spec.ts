import { buildTimeline } from './timeline.js';

const call = (id: string, startedSeq: number, todoIndex: number | null) => ({ id, startedSeq, todoIndex });
const message = (seq: number) => ({ seq, text: `m${seq}` });

/** The timeline as short labels: `call:id`, `message:seq`. */
function labels(
  timeline: ReturnType<typeof buildTimeline<ReturnType<typeof call>, ReturnType<typeof message>>>,
) {
  const label = (entry: (typeof timeline.lead)[number]) =>
    entry.kind === 'call' ? `call:${entry.call.id}` : `message:${entry.message.seq}`;
  return {
    lead: timeline.lead.map(label),
    groups: Object.fromEntries(
      [...timeline.groups].map(([key, entries]) => [String(key), entries.map(label)]),
    ),
  };
}

describe('buildTimeline', () => {
  it('puts each message right after the call before it, in that call’s todo (the first ones before the first call)', () => {
    const timeline = buildTimeline(
      new Set([0, 1]),
      [call('b', 5, 1), call('a', 3, 0)],
      [message(2), message(4), message(6), message(7)],
    );
    expect(labels(timeline)).toEqual({
      lead: [],
      groups: { '0': ['message:2', 'call:a', 'message:4'], '1': ['call:b', 'message:6', 'message:7'] },
    });
  });

  it('groups calls of unknown todos (and messages after them) outside the list', () => {
    const timeline = buildTimeline(
      new Set([0]),
      [call('a', 2, 3), call('b', 4, null), call('c', 6, 0)],
      [message(3), message(5)],
    );
    expect(labels(timeline)).toEqual({
      lead: [],
      groups: { null: ['call:a', 'message:3', 'call:b', 'message:5'], '0': ['call:c'] },
    });
  });

  it('leads with every message when there is no call yet', () => {
    expect(labels(buildTimeline(new Set(), [], [message(1), message(2)]))).toEqual({
      lead: ['message:1', 'message:2'],
      groups: {},
    });
  });
});
