import type { NewBuildEvent } from '#contracts';
import { createParser, type TranscriptParser } from '#transcripts';
import { CONTEXT } from '../../../../../libs/transcripts/src/test/parse-helpers.js';
import { collect } from '../test/source-helpers.js';
import { replayTranscript, UNPACED_BATCH_EVENTS, unpacedBatches } from './replay.js';

const transcript = [
  '{"type":"session.started","data":{"model":"m"}}',
  '',
  '{"type":"message","data":{"role":"assistant","text":"one"}}\r',
  '{"type":"noise","data":{}}',
  '{"type":"message","data":{"role":"assistant","text":"two"}}',
  '{"type":"session.finished","data":{"status":"completed"}}',
  '',
].join('\n');

/** A transcript of `count` messages "m1", "m2", … between its start and finish lines. */
function messages(count: number): string {
  const lines = ['{"type":"session.started","data":{"model":"m"}}'];
  for (let n = 1; n <= count; n++) {
    lines.push(JSON.stringify({ type: 'message', data: { role: 'assistant', text: `m${n}` } }));
  }
  lines.push('{"type":"session.finished","data":{"status":"completed"}}');
  return lines.join('\n');
}

const shown = (batch: NewBuildEvent[]) => batch.map((e) => (e.type === 'message' ? e.data.text : e.type));

/** A buildcast-ndjson parser that tells whether `end()` was called. */
function watchedParser(): { parser: TranscriptParser; ended: () => boolean } {
  const inner = createParser('buildcast-ndjson', CONTEXT);
  let ended = false;
  const parser: TranscriptParser = {
    parseLine: (line) => inner.parseLine(line),
    end: () => {
      ended = true;
      return inner.end();
    },
    stats: inner.stats,
    outcomeKnown: false,
  };
  return { parser, ended: () => ended };
}

describe('replayTranscript', () => {
  it('paced, yields the events of each line in order, then the closing events', async () => {
    const parser = createParser('buildcast-ndjson', CONTEXT);
    const batches = await collect(replayTranscript(transcript, parser, 1, new AbortController().signal));
    expect(batches.map(shown)).toEqual([['session.started'], ['one'], ['two'], ['session.finished']]);
    expect(parser.stats).toEqual({ lines: 5, notJson: 0, malformed: 0, ignored: 1 });
  });

  it('waits the interval between batches', async () => {
    const parser = createParser('buildcast-ndjson', CONTEXT);
    const started = Date.now();
    const batches = await collect(replayTranscript(transcript, parser, 30, new AbortController().signal));
    expect(batches).toHaveLength(4);
    // Three waits: before "one", "two" and the closing batch.
    expect(Date.now() - started).toBeGreaterThanOrEqual(80);
  });

  it('unpaced, yields consecutive lines’ events and the closing events together, in order', async () => {
    const parser = createParser('buildcast-ndjson', CONTEXT);
    const batches = await collect(replayTranscript(transcript, parser, 0, new AbortController().signal));
    expect(batches.map(shown)).toEqual([['session.started', 'one', 'two', 'session.finished']]);
    expect(parser.stats).toEqual({ lines: 5, notJson: 0, malformed: 0, ignored: 1 });
  });

  it('unpaced, bounds its batches', async () => {
    const count = 2 * UNPACED_BATCH_EVENTS;
    const parser = createParser('buildcast-ndjson', CONTEXT);
    const batches = await collect(replayTranscript(messages(count), parser, 0, new AbortController().signal));
    expect(batches.map((batch) => batch.length)).toEqual([UNPACED_BATCH_EVENTS, UNPACED_BATCH_EVENTS, 2]);
    expect(batches.flat().map((event) => event.type === 'message' && event.data.text)).toEqual([
      false,
      ...Array.from({ length: count }, (_, n) => `m${n + 1}`),
      false,
    ]);
  });

  it.each([
    // An hour between lines: the loop ends at all only because the abort cut the wait short.
    ['paced', 3_600_000, transcript, 1],
    ['unpaced', 0, messages(UNPACED_BATCH_EVENTS), UNPACED_BATCH_EVENTS],
  ])('%s, stops on abort without ending the session', async (_pacing, intervalMs, text, linesParsed) => {
    const { parser, ended } = watchedParser();
    const controller = new AbortController();
    const batches: NewBuildEvent[][] = [];
    for await (const batch of replayTranscript(text, parser, intervalMs, controller.signal)) {
      batches.push(batch);
      controller.abort();
    }
    expect(batches).toHaveLength(1);
    expect(ended()).toBe(false);
    expect(parser.stats.lines).toBe(linesParsed); // nothing parsed after the abort
  });
});

describe('unpacedBatches', () => {
  it('closes a batch once it holds maxEvents, never splitting a line’s events', () => {
    // The first line's events are session.started and "m1" (the parser starts the session).
    const lines = messages(4).split('\n').slice(1);
    const batches = [...unpacedBatches(lines.join('\n'), createParser('buildcast-ndjson', CONTEXT), 3)];
    expect(batches.map(shown)).toEqual([
      ['session.started', 'm1', 'm2'],
      ['m3', 'm4', 'session.finished'],
    ]);
  });

  it('ends the parser only when its last batch is asked for', () => {
    const { parser, ended } = watchedParser();
    const batches = unpacedBatches(messages(4), parser, 2);
    expect(shown(batches.next().value as NewBuildEvent[])).toEqual(['session.started', 'm1']);
    expect(shown(batches.next().value as NewBuildEvent[])).toEqual(['m2', 'm3']);
    expect(ended()).toBe(false);
    expect(shown(batches.next().value as NewBuildEvent[])).toEqual(['m4', 'session.finished']);
    expect(ended()).toBe(true);
    expect(batches.next().done).toBe(true);
  });

  it('yields the closing events alone from a transcript without events', () => {
    const batches = [
      ...unpacedBatches('\n{"type":"noise","data":{}}\n', createParser('buildcast-ndjson', CONTEXT), 3),
    ];
    expect(batches.map(shown)).toEqual([['session.started', 'session.finished']]);
  });
});
