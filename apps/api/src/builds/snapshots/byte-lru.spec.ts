import { ByteLru } from './byte-lru.js';

describe('ByteLru', () => {
  it('keeps values while their bytes fit and forgets the least recently used first', () => {
    const lru = new ByteLru<string>(10);
    lru.set('a', 'A', 4);
    lru.set('b', 'B', 4);
    expect(lru.get('a')).toBe('A'); // a is now the most recent
    lru.set('c', 'C', 4);
    expect(lru.get('b')).toBeUndefined();
    expect(lru.get('a')).toBe('A');
    expect(lru.get('c')).toBe('C');
    expect(lru.bytes).toBe(8);
  });

  it('counts a value again when it is set again (it grew)', () => {
    const lru = new ByteLru<string>(10);
    lru.set('a', 'A', 4);
    lru.set('b', 'B', 4);
    lru.set('a', 'A+', 7); // b is older: it goes
    expect([lru.get('a'), lru.get('b'), lru.bytes, lru.size]).toEqual(['A+', undefined, 7, 1]);
  });

  it('never keeps a value larger than the bound, nor anything with a bound of 0', () => {
    const lru = new ByteLru<string>(10);
    lru.set('a', 'A', 4);
    lru.set('big', 'B', 11);
    expect([lru.get('big'), lru.get('a')]).toEqual([undefined, 'A']);
    const none = new ByteLru<string>(0);
    none.set('a', 'A', 1);
    expect([none.get('a'), none.bytes]).toEqual([undefined, 0]);
  });

  it('forgets a deleted key and its bytes', () => {
    const lru = new ByteLru<string>(10);
    lru.set('a', 'A', 4);
    lru.delete('a');
    lru.delete('unknown');
    expect([lru.get('a'), lru.bytes, lru.size]).toEqual([undefined, 0, 0]);
  });
});
