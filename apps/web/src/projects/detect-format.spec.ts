import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { detectFormat } from './detect-format.js';

const FIXTURES = path.resolve(process.cwd(), 'test/fixtures/transcripts');

describe('detectFormat', () => {
  it.each(readdirSync(FIXTURES).filter((name) => name.endsWith('.jsonl')))(
    'recognises the fixture %s',
    (name) => {
      const expected = name.startsWith('claude') ? 'claude-stream-json' : 'codex-json';
      expect(detectFormat(readFileSync(path.join(FIXTURES, name), 'utf8'))).toBe(expected);
    },
  );

  it('recognises Buildcast events and skips blank or broken lines', () => {
    expect(detectFormat('\nnot json\nnull\n{"type":"todos.updated","data":{"todos":[]}}')).toBe(
      'buildcast-ndjson',
    );
  });

  it('says null when unsure', () => {
    expect(detectFormat('')).toBeNull();
    expect(detectFormat('{"type":"something-else"}\n[1,2]')).toBeNull();
  });
});
