import { utf8Json } from './utf8-json.js';

describe('utf8Json', () => {
  const cases: [string, unknown][] = [
    [
      'a batch of events, non-ASCII and astral text included',
      [
        { seq: 1, type: 'message', data: { role: 'assistant', text: 'done ✓ → 😀 “quoted” \n\t\\' } },
        {
          seq: 2,
          type: 'tool.started',
          data: { toolCallId: 't', input: { list: [1, null, { x: 'é' }] }, todoIndex: null },
        },
      ],
    ],
    ['an empty list', []],
    ['list items without JSON', [undefined, () => 1, 'x']],
    [
      'a notice with its events and optional properties',
      {
        projectId: 'p',
        skipped: undefined,
        events: [{ seq: 3, at: '2026-12-02T00:00:00.000Z', data: { output: 'ünïcode' } }],
        empty: [],
        trace: { traceparent: '00-ab-cd-01' },
        when: new Date(0),
        nothing: null,
      },
    ],
    ['an escaped lone surrogate', ['a\ud800b', { k: '\u0000' }]],
    ['a plain value', 'text ✓'],
    ['a number', 42],
  ];

  it.each(cases)('writes the bytes of JSON.stringify: %s', (_, value) => {
    expect(utf8Json(value).equals(Buffer.from(JSON.stringify(value), 'utf8'))).toBe(true);
  });

  it('puts the leading bytes first', () => {
    const bytes = utf8Json([{ a: 'ü' }], [1]);
    expect(bytes[0]).toBe(1);
    expect(bytes.subarray(1).toString('utf8')).toBe('[{"a":"ü"}]');
  });

  it('writes an object with toJSON as JSON.stringify does', () => {
    const value = { toJSON: () => ({ replaced: [1, 2] }) };
    expect(utf8Json(value).toString('utf8')).toBe('{"replaced":[1,2]}');
  });
});
