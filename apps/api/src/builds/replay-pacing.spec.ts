import { jest } from '@jest/globals';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TranscriptFormat } from '#contracts';
import { createParser } from '#transcripts';
import { replayTranscript } from '../../../runner-worker/src/agents/replay/replay.js';
import { maxPacedSteps, pacingMs, playedLines, playsMoreLinesThan } from './replay-pacing.js';

const FIXTURES = fileURLToPath(new URL('../../../../test/fixtures/', import.meta.url));
const CONTEXT = { agentId: 'a', projectName: 'p', prompt: null, model: null };

interface Fixture {
  file: string;
  format: TranscriptFormat;
  text: string;
}

function fixtures(): Fixture[] {
  const read = (file: string) => readFileSync(path.join(FIXTURES, file), 'utf8');
  const transcripts = readdirSync(path.join(FIXTURES, 'transcripts')).filter((file) =>
    file.endsWith('.jsonl'),
  );
  return [
    ...transcripts.map((file): Fixture => ({
      file,
      format: file.startsWith('claude') ? 'claude-stream-json' : 'codex-json',
      text: read(path.join('transcripts', file)),
    })),
    {
      file: 'buildcast-ndjson_small.jsonl',
      format: 'buildcast-ndjson',
      text: read('buildcast-ndjson_small.jsonl'),
    },
  ];
}

/**
 * What replayTranscript really paces: one interval per yielded batch but the closing one, in a
 * paced replay (1 ms: an unpaced one gathers lines into larger batches).
 */
async function linesReplayPaces(text: string, format: TranscriptFormat): Promise<number> {
  const batches = [];
  const replay = replayTranscript(text, createParser(format, CONTEXT), 1, new AbortController().signal);
  for await (const batch of replay) batches.push(batch);
  return batches.length - 1;
}

describe('replay pacing', () => {
  it('is one interval per paced step', () => {
    expect(pacingMs(1000, 60_000)).toBe(60_000_000);
    expect(pacingMs(0, 60_000)).toBe(0);
    expect(maxPacedSteps(20, 3_600_000)).toBe(180_000);
    expect(maxPacedSteps(7, 100)).toBe(14);
    expect(maxPacedSteps(0, 100)).toBe(Infinity);
  });

  it.each(fixtures())('counts the lines replayTranscript paces in $file', async ({ text, format }) => {
    const counted = playedLines(text, createParser(format, CONTEXT));
    expect(counted).toBeGreaterThan(0);
    await expect(linesReplayPaces(text, format)).resolves.toBe(counted);
  });

  it('counts neither blank lines nor lines that yield no events', () => {
    const text = [
      '{"type":"message","data":{"role":"assistant","text":"one"}}',
      '',
      '   ',
      '{"type":"noise","data":{}}',
      'not json',
      '{"type":"message","data":{"role":"assistant","text":"two"}}\r',
    ].join('\n');
    expect(playedLines(text, createParser('buildcast-ndjson', CONTEXT))).toBe(2);
  });

  it('tells whether a replay plays more lines than fit, parsing only when it must', () => {
    const line = '{"type":"message","data":{"role":"assistant","text":"hi"}}';
    const noise = '{"type":"noise","data":{}}';
    const parser = () => createParser('buildcast-ndjson', CONTEXT);
    expect(playsMoreLinesThan([line, line, line].join('\n'), 3, parser)).toBe(false);
    expect(playsMoreLinesThan([line, line, line, line].join('\n'), 3, parser)).toBe(true);
    // Four non-blank lines, but only three are played.
    expect(playsMoreLinesThan([line, noise, line, line].join('\n'), 3, parser)).toBe(false);
    const neverParse = () => {
      throw new Error('parsed although the non-blank lines fit');
    };
    expect(playsMoreLinesThan(`${line}\n\n${line}\n`, 2, neverParse)).toBe(false);
    expect(playsMoreLinesThan(line.repeat(1), Infinity, neverParse)).toBe(false);
  });

  it('stops parsing at the first line past the limit', () => {
    const line = '{"type":"message","data":{"role":"assistant","text":"hi"}}';
    const parser = createParser('buildcast-ndjson', CONTEXT);
    const parseLine = jest.spyOn(parser, 'parseLine');
    expect(playedLines(Array(1000).fill(line).join('\n'), parser, 10)).toBe(11);
    expect(parseLine).toHaveBeenCalledTimes(11);
  });
});
