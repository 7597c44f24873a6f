import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { detectFormat } from './detect-format.js';
import { FIXTURES_DIR } from './test/parse-helpers.js';

describe('detectFormat', () => {
  it.each(readdirSync(FIXTURES_DIR).filter((name) => name.endsWith('.jsonl')))(
    'recognises the fixture %s',
    (name) => {
      // Fixture names start with their format (codex-exec-json is codex-json).
      const expected = name.startsWith('codex') ? 'codex-json' : name.slice(0, name.indexOf('_'));
      expect(detectFormat(readFileSync(path.join(FIXTURES_DIR, name), 'utf8'))).toBe(expected);
    },
  );

  it('recognises Buildcast events and skips blank or broken lines', () => {
    expect(detectFormat('\nnot json\nnull\n{"type":"todos.updated","data":{"todos":[]}}')).toBe(
      'buildcast-ndjson',
    );
  });

  it("recognises a Claude Code session file by its bookkeeping lines or a message's parentUuid", () => {
    expect(detectFormat('{"type":"summary","summary":"x","leafUuid":"u"}')).toBe('claude-session-log');
    expect(detectFormat('{"parentUuid":null,"type":"user","message":{"role":"user","content":"hi"}}')).toBe(
      'claude-session-log',
    );
    expect(detectFormat('{"type":"rate_limit_event","rate_limit_info":{}}')).toBe('claude-stream-json');
  });

  it('says null when unsure', () => {
    expect(detectFormat('')).toBeNull();
    expect(detectFormat('{"type":"something-else"}\n[1,2]')).toBeNull();
  });
});
