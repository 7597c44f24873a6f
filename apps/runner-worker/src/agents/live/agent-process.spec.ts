import { TailBuffer } from './agent-process.js';

describe('TailBuffer', () => {
  it('keeps the last bytes written, on a character boundary', () => {
    const tail = new TailBuffer(4);
    tail.push(Buffer.from('hello '));
    tail.push(Buffer.from('wörld'));
    // The last 4 bytes start inside 'ö' (2 bytes): the partial character is dropped.
    expect(tail.text()).toBe('rld');
    const small = new TailBuffer(100);
    small.push(Buffer.from('a'));
    small.push(Buffer.from('b'));
    expect(small.text()).toBe('ab');
  });
});
