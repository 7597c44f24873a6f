import { diffLines, fileChanges, MAX_DIFF_LINES } from './file-changes.js';

describe('fileChanges', () => {
  it('reads Edit, MultiEdit and Write inputs of Claude Code', () => {
    expect(fileChanges('Edit', { file_path: 'a.ts', old_string: 'x', new_string: 'y' })).toEqual([
      { path: 'a.ts', kind: 'update', before: 'x', after: 'y' },
    ]);
    expect(
      fileChanges('MultiEdit', {
        file_path: 'b.ts',
        edits: [{ old_string: '1', new_string: '2' }, { bad: true }, { old_string: '3', new_string: '' }],
      }),
    ).toEqual([
      { path: 'b.ts', kind: 'update', before: '1', after: '2' },
      { path: 'b.ts', kind: 'update', before: '3', after: '' },
    ]);
    expect(fileChanges('Write', { file_path: 'c.md', content: '# C\n' })).toEqual([
      { path: 'c.md', kind: 'add', before: '', after: '# C\n' },
    ]);
  });

  it('reads a Codex file_change, with a diff when it carries one', () => {
    expect(
      fileChanges('file_change', {
        changes: [
          { path: 'src/a.py', kind: 'update' },
          { path: 'README.md', kind: 'add', unified_diff: '@@ -0,0 +1 @@\n+hi\n' },
          { path: 'old.txt', kind: 'delete' },
          { kind: 'add' },
        ],
      }),
    ).toEqual([
      { path: 'src/a.py', kind: 'update' },
      { path: 'README.md', kind: 'add', patch: '@@ -0,0 +1 @@\n+hi\n' },
      { path: 'old.txt', kind: 'delete' },
    ]);
  });

  it('is null for other calls and inputs of another shape', () => {
    expect(fileChanges('Bash', { command: 'ls' })).toBeNull();
    expect(fileChanges('Edit', { file_path: 'a.ts', old_string: 1, new_string: 'y' })).toBeNull();
    expect(fileChanges('MultiEdit', { file_path: 'a.ts', edits: [] })).toBeNull();
    expect(fileChanges('file_change', { changes: 'all' })).toBeNull();
    expect(fileChanges('Write', null)).toBeNull();
  });
});

describe('diffLines', () => {
  it('shows removed and added lines with their context', () => {
    const { lines, cut } = diffLines({
      path: 'a.ts',
      kind: 'update',
      before: 'one\ntwo\nthree\n',
      after: 'one\n2\nthree\n',
    });
    expect(lines).toEqual([
      { kind: 'context', text: 'one' },
      { kind: 'remove', text: 'two' },
      { kind: 'add', text: '2' },
      { kind: 'context', text: 'three' },
    ]);
    expect(cut).toBe(0);
  });

  it('separates hunks and drops the no-newline marker', () => {
    const before = Array.from({ length: 20 }, (_, i) => `line ${i}`).join('\n');
    const after = before.replace('line 1\n', 'line one\n').replace('line 18', 'line eighteen');
    const { lines } = diffLines({ path: 'a', kind: 'update', before, after });
    expect(lines.filter((line) => line.kind === 'gap')).toHaveLength(1);
    expect(lines.filter((line) => line.kind === 'add').map((line) => line.text)).toEqual([
      'line one',
      'line eighteen',
    ]);
    expect(lines.some((line) => line.text.includes('No newline'))).toBe(false);
  });

  it('reads a carried patch, and cuts a long one', () => {
    expect(diffLines({ path: 'r', kind: 'add', patch: '@@ -0,0 +1 @@\n+hi\n' }).lines).toEqual([
      { kind: 'add', text: 'hi' },
    ]);
    const long = Array.from({ length: MAX_DIFF_LINES + 5 }, (_, i) => `${i}`).join('\n');
    const written = diffLines({ path: 'w', kind: 'add', before: '', after: long });
    expect(written.lines).toHaveLength(MAX_DIFF_LINES);
    expect(written.cut).toBe(5);
    expect(diffLines({ path: 'p', kind: 'update' }).lines).toEqual([]);
  });
});
