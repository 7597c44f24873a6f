import { forPostgresJson, storableText } from './well-formed.js';

describe('storableText', () => {
  it('replaces lone surrogates and U+0000 with U+FFFD, keeping pairs', () => {
    expect(storableText('a\ud800b')).toBe('a\uFFFDb');
    expect(storableText('a\udc00b')).toBe('a\uFFFDb');
    expect(storableText('\udc00\ud800')).toBe('\uFFFD\uFFFD'); // reversed: not a pair
    expect(storableText('end\ud83d')).toBe('end\uFFFD');
    expect(storableText('x\u0000y')).toBe('x\uFFFDy');
    expect(storableText('ok \ud83d\ude00 é')).toBe('ok \ud83d\ude00 é');
  });
});

describe('forPostgresJson', () => {
  it('returns the same object when every string is storable', () => {
    const events = [{ type: 'message', data: { text: 'fine \ud83d\ude00', literal: '\\ud800' } }];
    expect(forPostgresJson(events)).toBe(events);
    const outputs = new Map([['t1', 'fine']]);
    expect(forPostgresJson(outputs)).toBe(outputs);
  });

  it('cleans values and keys at any depth, and its result serialises to JSON that Postgres accepts', () => {
    const events = [
      { type: 'tool.started', data: { input: { ['k\ud800']: ['a\udfffb', 1, null, { deep: 'z\u0000' }] } } },
    ];
    const cleaned = forPostgresJson(events);
    expect(cleaned).toEqual([
      { type: 'tool.started', data: { input: { ['k\uFFFD']: ['a\uFFFDb', 1, null, { deep: 'z\uFFFD' }] } } },
    ]);
    expect(JSON.stringify(cleaned)).not.toMatch(/\\u(0000|d[89a-f])/);
    expect(events[0].data.input).toHaveProperty(['k\ud800']); // the input is not modified
  });

  it('cleans the texts of a Map', () => {
    expect(
      forPostgresJson(
        new Map([
          ['t1', 'a\ud800'],
          ['t2', 'b'],
        ]),
      ),
    ).toEqual(
      new Map([
        ['t1', 'a\uFFFD'],
        ['t2', 'b'],
      ]),
    );
  });
});

describe('forPostgresJson on backslashes', () => {
  it('tells an escaped lone surrogate from a literal backslash-u text', () => {
    expect(forPostgresJson(['\\\ud800'])).toEqual(['\\\uFFFD']); // a backslash, then a lone surrogate
    const literal = ['\\\\ud800', '\\u0000'];
    expect(forPostgresJson(literal)).toBe(literal);
  });
});
