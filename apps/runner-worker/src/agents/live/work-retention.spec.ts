import { expiredWorkDirectories } from './work-retention.js';

const HOUR = 3_600_000;
const now = Date.parse('2026-12-01T12:00:00Z');
const session = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

describe('expiredWorkDirectories', () => {
  it('picks build directories unchanged for longer than the retention', () => {
    const directories = [
      { name: session(1), mtimeMs: now - 25 * HOUR },
      { name: session(2), mtimeMs: now - 23 * HOUR },
    ];
    expect(expiredWorkDirectories(directories, now, 24 * HOUR, HOUR)).toEqual([session(1)]);
  });

  it('never picks what is not named like a session', () => {
    const directories = [
      { name: 'notes', mtimeMs: 0 },
      { name: `${session(3)}.bak`, mtimeMs: 0 },
    ];
    expect(expiredWorkDirectories(directories, now, HOUR, HOUR)).toEqual([]);
  });

  it('keeps a directory at least BUILD_MAX_MS, while its build may still run', () => {
    const directories = [{ name: session(4), mtimeMs: now - 3 * HOUR }];
    expect(expiredWorkDirectories(directories, now, HOUR, 4 * HOUR)).toEqual([]);
    expect(expiredWorkDirectories(directories, now, HOUR, 2 * HOUR)).toEqual([session(4)]);
  });
});
