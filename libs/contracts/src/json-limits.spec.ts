import { JsonLimitError, jsonDepthExceeds, MAX_JSON_DEPTH, parseUntrustedJson } from './json-limits.js';

const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

describe('jsonDepthExceeds', () => {
  it('accepts nesting up to the limit and refuses one level more', () => {
    expect(jsonDepthExceeds(nested(MAX_JSON_DEPTH))).toBe(false);
    expect(jsonDepthExceeds(nested(MAX_JSON_DEPTH + 1))).toBe(true);
    expect(jsonDepthExceeds('{"a":{"b":[1,{"c":2}]}}', 4)).toBe(false);
    expect(jsonDepthExceeds('{"a":{"b":[1,{"c":2}]}}', 3)).toBe(true);
  });

  it('counts depth, not the number of brackets', () => {
    expect(jsonDepthExceeds('[' + '[],'.repeat(10_000) + '[]]', 2)).toBe(false);
  });

  it('ignores brackets inside strings, escaped quotes included', () => {
    expect(jsonDepthExceeds(JSON.stringify({ text: '[[[[{{{{' }), 1)).toBe(false);
    expect(jsonDepthExceeds(JSON.stringify({ text: 'say \\"[[[[' }), 1)).toBe(false);
    expect(jsonDepthExceeds(JSON.stringify({ text: 'a"b' }) + '[[', 1)).toBe(true);
  });

  it("stops early on the probe's 5 KB subscribe frame and on an 8 MB body", () => {
    const frame = '{"type":"subscribe","projectId":"x","x":' + nested(2500) + '}';
    expect(jsonDepthExceeds(frame)).toBe(true);
    expect(jsonDepthExceeds(nested(4_000_000))).toBe(true);
  });
});

describe('parseUntrustedJson', () => {
  it('parses shallow JSON and refuses deep JSON before JSON.parse runs', () => {
    expect(parseUntrustedJson('{"a":[1,2]}')).toEqual({ a: [1, 2] });
    expect(() => parseUntrustedJson(nested(10_000))).toThrow(JsonLimitError);
    expect(() => parseUntrustedJson(nested(10_000))).toThrow(`deeper than ${MAX_JSON_DEPTH} levels`);
  });

  it('leaves malformed JSON to JSON.parse', () => {
    expect(() => parseUntrustedJson('{"a":')).toThrow(SyntaxError);
  });
});
