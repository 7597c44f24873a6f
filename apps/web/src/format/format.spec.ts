import {
  elapsed,
  formatCost,
  formatDuration,
  formatRelative,
  formatTokens,
  summarizeInput,
} from './format.js';

describe('formatDuration', () => {
  it.each([
    [0, '0 ms'],
    [85, '85 ms'],
    [1_234, '1.2 s'],
    [25_400, '25 s'],
    [125_000, '2 m 05 s'],
    [3_780_000, '1 h 03 m'],
  ])('%d ms → %s', (ms, text) => expect(formatDuration(ms)).toBe(text));
});

describe('elapsed', () => {
  const start = new Date('2026-01-01T00:00:00Z');
  it('is null before the start, runs to now while running, and stops at the end', () => {
    expect(elapsed(null, null, 5_000)).toBeNull();
    expect(elapsed(start, null, start.getTime() + 700)).toBe(700);
    expect(elapsed(start, new Date(start.getTime() + 300), start.getTime() + 9_999)).toBe(300);
  });
});

describe('summarizeInput', () => {
  it('picks the most telling field of common tools', () => {
    expect(summarizeInput({ command: 'npm test', description: 'run tests' })).toBe('npm test');
    expect(summarizeInput({ file_path: 'src/app.ts', content: 'x' })).toBe('src/app.ts');
    expect(summarizeInput({ pattern: 'TODO', path: 'src' })).toBe('TODO');
    expect(summarizeInput({ command: ['bash', '-lc', 'ls'] })).toBe('bash -lc ls');
  });

  it('falls back to the first string, then to JSON, and shortens long text on one line', () => {
    expect(summarizeInput({ n: 1, note: 'hello\n  world' })).toBe('hello world');
    expect(summarizeInput({ n: 1 })).toBe('{"n":1}');
    expect(summarizeInput(null)).toBe('');
    expect(summarizeInput(42)).toBe('42');
    const long = summarizeInput({ command: 'x'.repeat(200) });
    expect(long).toHaveLength(90);
    expect(long.endsWith('…')).toBe(true);
  });
});

describe('formatRelative', () => {
  const now = Date.parse('2026-03-10T12:00:00Z');
  it.each([
    [0, 'just now'],
    [59_000, 'just now'],
    [60_000, '1 minute ago'],
    [3 * 60_000 + 30_000, '3 minutes ago'],
    [2 * 3600_000, '2 hours ago'],
    [24 * 3600_000, 'yesterday'],
    [3 * 24 * 3600_000, '3 days ago'],
    [14 * 24 * 3600_000, '2 weeks ago'],
    [400 * 24 * 3600_000, 'last year'],
  ])('%d ms ago → %s', (ago, text) => expect(formatRelative(new Date(now - ago), now)).toBe(text));
});

describe('formatTokens and formatCost', () => {
  it.each([
    [956, '956'],
    [225_369, '225.4K'],
    [1_800_000, '1.8M'],
  ])('%d tokens → %s', (count, text) => expect(formatTokens(count)).toBe(text));

  it.each([
    [12.4712, '$12.47'],
    [0, '$0.00'],
    [0.004, '< $0.01'],
  ])('$%d → %s', (usd, text) => expect(formatCost(usd)).toBe(text));
});
