import { MAX_JSON_DEPTH } from '#contracts';
import { TextInputError, wellFormedInput } from './text-input.js';

describe('wellFormedInput', () => {
  it('refuses a NUL character, naming the field by its path', () => {
    expect(() => wellFormedInput({ name: 'a\u0000b' }, '')).toThrow(
      new TextInputError('name must not contain NUL characters (\\u0000)'),
    );
    expect(() => wellFormedInput({ a: [{ b: 'x' }, { b: '\u0000' }] }, '')).toThrow(/^a\[1\]\.b must not/);
    expect(() => wellFormedInput('a\u0000', 'toolCallId')).toThrow(/^toolCallId must not contain NUL/);
  });

  it('replaces lone surrogates with U+FFFD and keeps surrogate pairs', () => {
    expect(
      wellFormedInput({ name: 'a\ud800b', model: '\udc00', prompt: 'x\ud83d\ude00y\ud83d' }, ''),
    ).toEqual({
      name: 'a\ufffdb',
      model: '\ufffd',
      prompt: 'x\ud83d\ude00y\ufffd',
    });
    expect(wellFormedInput(['\udbff\udbff\udc00'], 'list')).toEqual(['\ufffd\udbff\udc00']);
  });

  it('leaves other values as they are and returns a copy', () => {
    const input = { n: 1, t: true, z: null, s: 'ok', list: [1, 'two'] };
    const output = wellFormedInput(input, '');
    expect(output).toEqual(input);
    expect(output).not.toBe(input);
  });

  it('keeps a "__proto__" key as data', () => {
    const output = wellFormedInput(JSON.parse('{"__proto__": {"polluted": "yes"}}'), '') as object;
    expect(Object.getPrototypeOf(output)).toBe(Object.prototype);
    expect(Object.keys(output)).toEqual(['__proto__']);
  });

  it('refuses nesting deeper than MAX_JSON_DEPTH instead of recursing', () => {
    const nest = (levels: number): unknown => (levels === 0 ? 'x' : [nest(levels - 1)]);
    expect(() => wellFormedInput(nest(MAX_JSON_DEPTH), 'body')).not.toThrow();
    expect(() => wellFormedInput(nest(MAX_JSON_DEPTH + 1), 'body')).toThrow(
      `nests deeper than ${MAX_JSON_DEPTH} levels`,
    );
  });
});
