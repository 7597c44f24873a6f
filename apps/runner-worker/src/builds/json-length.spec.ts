import { approximateJsonLength } from './json-length.js';

describe('approximateJsonLength', () => {
  const close = (value: unknown) => {
    const exact = JSON.stringify(value).length;
    const approximate = approximateJsonLength(value);
    expect(Math.abs(approximate - exact)).toBeLessThanOrEqual(Math.max(2, exact * 0.1));
  };

  it("is within a tenth of JSON.stringify for event data (escapes, such as a newline's, are not counted)", () => {
    close({ toolCallId: 'toolu_01', name: 'Bash', input: { command: 'npm test -- part-7' }, todoIndex: 2 });
    close({ toolCallId: 'toolu_01', output: 'PASS part-7\n  ✓ works (7 ms)\n'.repeat(200), isError: false });
    close({ todos: [{ content: 'Step 1', activeForm: 'Working on step 1', status: 'completed' }] });
    close({ role: 'assistant', text: 'Finished part 9; moving on.', list: [1, 2.5, null, true, [], {}] });
  });

  it('grows with a long text as the text does', () => {
    const text = 'x'.repeat(1_000_000);
    expect(approximateJsonLength({ output: text })).toBeGreaterThanOrEqual(text.length);
  });

  it('leaves out what JSON leaves out', () => {
    expect(approximateJsonLength({ a: 1, skipped: undefined })).toBeLessThan(
      approximateJsonLength({ a: 1, b: 2 }),
    );
  });
});
