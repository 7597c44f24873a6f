import { ndjsonText } from './ndjson-text.js';

describe('ndjsonText', () => {
  it('takes the text of a string or UTF-8 bytes', () => {
    expect(ndjsonText('{"a":1}\n')).toBe('{"a":1}\n');
    expect(ndjsonText(Buffer.from('{"text":"é ✓"}\n', 'utf8'))).toBe('{"text":"é ✓"}\n');
  });

  it('reads no body as an empty transcript', () => {
    expect(ndjsonText(undefined)).toBe('');
    expect(ndjsonText({})).toBe('');
  });

  it('refuses a body another parser turned into something else', () => {
    expect(ndjsonText({ type: 'message' })).toBeUndefined();
    expect(ndjsonText([{ type: 'message' }])).toBeUndefined();
    expect(ndjsonText(42)).toBeUndefined();
  });
});
