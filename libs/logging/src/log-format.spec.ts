import { chooseLogFormat } from './log-format.js';

describe('chooseLogFormat', () => {
  it('is pretty for a person at a terminal and JSON for anything else (pipes, files, collectors)', () => {
    expect(chooseLogFormat(null, true)).toBe('pretty');
    expect(chooseLogFormat(null, false)).toBe('json');
    expect(chooseLogFormat(undefined, false)).toBe('json');
  });

  it('LOG_FORMAT wins over the terminal', () => {
    expect(chooseLogFormat('json', true)).toBe('json');
    expect(chooseLogFormat('pretty', false)).toBe('pretty');
  });
});
