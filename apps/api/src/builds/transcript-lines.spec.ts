import { MAX_JSON_DEPTH } from '#contracts';
import { assertReplayableTranscript, countLines } from './transcript-lines.js';

const messageOf = (transcript: string, maxLines = 1000): unknown => {
  try {
    assertReplayableTranscript(transcript, maxLines);
    return null;
  } catch (error) {
    return (error as { getResponse(): { message: unknown } }).getResponse().message;
  }
};

describe('assertReplayableTranscript', () => {
  it('accepts NDJSON with at least one JSON object line, whatever else it holds', () => {
    expect(messageOf('noise\n\n{"type":"x"}\r\n[1]\n')).toBeNull();
    expect(messageOf(`{"a":${'['.repeat(MAX_JSON_DEPTH - 1)}${']'.repeat(MAX_JSON_DEPTH - 1)}}`)).toBeNull();
  });

  it('refuses a transcript without a JSON object line', () => {
    for (const transcript of ['', 'hello\nworld', '[1,2]', '{"broken"']) {
      expect(messageOf(transcript)).toEqual(['transcript must hold NDJSON: one JSON object per line']);
    }
  });

  it('refuses a line nested deeper than MAX_JSON_DEPTH, naming the line', () => {
    const deep = `{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
    expect(messageOf(`{"type":"x"}\n\n${deep}\n{"type":"y"}`)).toEqual([
      `transcript: line 3 nests deeper than ${MAX_JSON_DEPTH} levels (MAX_JSON_DEPTH)`,
    ]);
  });

  it('counts the depth of each line on its own', () => {
    // Unclosed brackets on many lines never add up to one deep line.
    const lines = Array(200).fill('{"type":"x","a":[[[').join('\n');
    expect(messageOf(lines)).toEqual(['transcript must hold NDJSON: one JSON object per line']);
  });
});

describe('TRANSCRIPT_MAX_LINES', () => {
  const line = '{"type":"x"}';

  it('accepts up to the limit, a final newline not counting as a line', () => {
    expect(messageOf(Array(3).fill(line).join('\n'), 3)).toBeNull();
    expect(messageOf(`${Array(3).fill(line).join('\n')}\n`, 3)).toBeNull();
  });

  it('refuses one line more with a 413 naming transcript', () => {
    let status: number | undefined;
    try {
      assertReplayableTranscript(Array(4).fill(line).join('\n'), 3);
    } catch (error) {
      status = (error as { getStatus(): number }).getStatus();
    }
    expect(status).toBe(413);
    expect(messageOf(Array(4).fill(line).join('\n'), 3)).toEqual([
      'transcript: 4 lines, more than TRANSCRIPT_MAX_LINES (3)',
    ]);
  });

  it('counts lines as the runner-worker splits them', () => {
    expect(countLines('')).toBe(0);
    expect(countLines('a')).toBe(1);
    expect(countLines('a\n')).toBe(1);
    expect(countLines('a\n\nb')).toBe(3);
    expect(countLines('a\r\nb\r\n')).toBe(2);
    expect(countLines('\n')).toBe(1);
  });
});
