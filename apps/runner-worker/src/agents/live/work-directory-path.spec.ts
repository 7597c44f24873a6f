import { workDirectoryOf } from './work-directory-path.js';

describe('workDirectoryOf', () => {
  it('puts a build in a directory of its own directly under the root', () => {
    expect(workDirectoryOf('/var/builds', '0b6f9a56-2a39-4c8e-9d8e-0f3f1f0c9a11')).toBe(
      '/var/builds/0b6f9a56-2a39-4c8e-9d8e-0f3f1f0c9a11',
    );
    expect(workDirectoryOf('/var/builds/', 'abc')).toBe('/var/builds/abc');
  });

  it.each([
    '',
    '.',
    '..',
    '../etc',
    '../../tmp/x',
    'a/../../b',
    'a/b',
    '/etc',
    '/var/builds/abc',
    './abc',
    'abc/',
  ])('refuses session id %j: it does not name a direct child of the root', (sessionId) => {
    expect(workDirectoryOf('/var/builds', sessionId)).toBeNull();
  });

  it('resolves a relative root before comparing', () => {
    const directory = workDirectoryOf('builds', 'abc');
    expect(directory).toBe(`${process.cwd()}/builds/abc`);
    expect(workDirectoryOf('builds', '../abc')).toBeNull();
  });
});
