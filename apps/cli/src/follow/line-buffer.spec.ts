import { LineBuffer } from './line-buffer.js';

const bytes = (text: string) => Buffer.from(text, 'utf8');

describe('LineBuffer', () => {
  it('gives whole lines and keeps the partial last one until its newline', () => {
    const lines = new LineBuffer();
    expect(lines.push(bytes('{"a":1}\n{"b"'))).toEqual(['{"a":1}']);
    expect(lines.push(bytes(':2}'))).toEqual([]);
    expect(lines.push(bytes('\n\n{"c":3}\r\n'))).toEqual(['{"b":2}', '', '{"c":3}']);
  });

  it('keeps a UTF-8 character split between two reads whole', () => {
    const lines = new LineBuffer();
    const encoded = bytes('"é"\n');
    expect(lines.push(encoded.subarray(0, 2))).toEqual([]);
    expect(lines.push(encoded.subarray(2))).toEqual(['"é"']);
  });
});
