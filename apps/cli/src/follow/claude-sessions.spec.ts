import path from 'node:path';
import { claudeProjectDir, newestSession } from './claude-sessions.js';

describe('claudeProjectDir', () => {
  it('mangles every character of the absolute path that is not a letter or digit into -', () => {
    expect(claudeProjectDir('/tmp/hp-work', {}, '/home/me')).toBe('/home/me/.claude/projects/-tmp-hp-work');
    expect(claudeProjectDir('/srv/my_app.v2/a b', {}, '/home/me')).toBe(
      '/home/me/.claude/projects/-srv-my-app-v2-a-b',
    );
  });

  it('resolves a relative directory and honours CLAUDE_CONFIG_DIR', () => {
    const mangled = path.resolve('sub').replace(/[^a-zA-Z0-9]/g, '-');
    expect(claudeProjectDir('sub', { CLAUDE_CONFIG_DIR: '/etc/claude' }, '/home/me')).toBe(
      `/etc/claude/projects/${mangled}`,
    );
    expect(claudeProjectDir('/x', { CLAUDE_CONFIG_DIR: '' }, '/home/me')).toBe(
      '/home/me/.claude/projects/-x',
    );
  });
});

describe('newestSession', () => {
  it('picks the most recently written .jsonl file', () => {
    expect(
      newestSession([
        { name: 'old.jsonl', mtimeMs: 1 },
        { name: 'new.jsonl', mtimeMs: 3 },
        { name: 'newer.txt', mtimeMs: 9 },
        { name: 'mid.jsonl', mtimeMs: 2 },
      ]),
    ).toBe('new.jsonl');
  });

  it('is null when there is no session file', () => {
    expect(newestSession([{ name: 'memory', mtimeMs: 5 }])).toBeNull();
    expect(newestSession([])).toBeNull();
  });
});
