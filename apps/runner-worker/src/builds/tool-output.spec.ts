import type { NewBuildEvent } from '#contracts';
import { limitToolOutputs } from './tool-output.js';

const finished = (toolCallId: string, output: string): NewBuildEvent => ({
  type: 'tool.finished',
  data: { toolCallId, output, isError: false },
});

describe('limitToolOutputs', () => {
  it('leaves outputs within the limit and other events alone', () => {
    const batch: NewBuildEvent[] = [
      { type: 'message', data: { role: 'assistant', text: 'x'.repeat(100) } },
      finished('a', 'x'.repeat(10)),
    ];
    expect(limitToolOutputs(batch, 10)).toEqual({ events: batch, fullOutputs: new Map() });
  });

  it('shortens a longer output to the limit, marks it and returns the full text', () => {
    const output = 'y'.repeat(25);
    const { events, fullOutputs } = limitToolOutputs([finished('a', output)], 10);
    expect(events).toEqual([
      {
        type: 'tool.finished',
        data: { toolCallId: 'a', output: 'y'.repeat(10), isError: false, outputTruncated: true },
      },
    ]);
    expect(fullOutputs).toEqual(new Map([['a', output]]));
  });

  it('never cuts a character in half', () => {
    // 'é' is two bytes: a 5-byte limit keeps two of them (4 bytes).
    const { events } = limitToolOutputs([finished('a', 'ééé')], 5);
    expect(events[0].data).toEqual(expect.objectContaining({ output: 'éé', outputTruncated: true }));
  });

  it('measures in UTF-8 bytes, three-byte characters at the bound included', () => {
    expect(limitToolOutputs([finished('a', '✓✓✓')], 9).fullOutputs.size).toBe(0); // 9 bytes
    const { events } = limitToolOutputs([finished('a', '✓✓✓✓')], 10); // 12 bytes
    expect(events[0].data).toEqual(expect.objectContaining({ output: '✓✓✓', outputTruncated: true }));
  });
});
