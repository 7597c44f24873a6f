import type { NewBuildEvent } from '#contracts';
import { createParser, type TranscriptParser } from '#transcripts';
import { CONTEXT } from '../../../../../libs/transcripts/src/test/parse-helpers.js';
import { replayTranscript } from './replay.js';

const transcript = [
  '{"type":"session.started","data":{"model":"m"}}',
  '',
  '{"type":"message","data":{"role":"assistant","text":"one"}}\r',
  '{"type":"noise","data":{}}',
  '{"type":"message","data":{"role":"assistant","text":"two"}}',
  '{"type":"session.finished","data":{"status":"completed"}}',
  '',
].join('\n');

async function collect(iterable: AsyncIterable<NewBuildEvent[]>): Promise<NewBuildEvent[][]> {
  const batches: NewBuildEvent[][] = [];
  for await (const batch of iterable) batches.push(batch);
  return batches;
}

describe('replayTranscript', () => {
  it('yields the events of each line in order, then the closing events', async () => {
    const parser = createParser('buildcast-ndjson', CONTEXT);
    const batches = await collect(replayTranscript(transcript, parser, 0, new AbortController().signal));
    expect(batches.map((batch) => batch.map((e) => (e.type === 'message' ? e.data.text : e.type)))).toEqual([
      ['session.started'],
      ['one'],
      ['two'],
      ['session.finished'],
    ]);
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

  it('stops on abort without ending the session', async () => {
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
    const controller = new AbortController();
    const batches: NewBuildEvent[][] = [];
    // An hour between lines: the loop ends at all only because the abort cut the wait short.
    for await (const batch of replayTranscript(transcript, parser, 3_600_000, controller.signal)) {
      batches.push(batch);
      controller.abort();
    }
    expect(batches).toHaveLength(1);
    expect(ended).toBe(false);
  });
});
