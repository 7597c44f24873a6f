import type { Snapshot, ToolCallView } from '#contracts';
import {
  BETWEEN_CALLS_AND_MESSAGES,
  leftChars,
  messageJson,
  previewCall,
  SNAPSHOT_TAIL,
  snapshotHeadJson,
  toolCallJson,
} from './snapshot-json.js';

const call: ToolCallView = {
  id: 'c1',
  todoIndex: null,
  parentToolCallId: null,
  name: 'Read',
  input: { b: 1, a: [1.5, 'x'] },
  output: 'abcdef',
  isError: false,
  outputTruncated: false,
  status: 'succeeded',
  startedAt: '2026-12-01T00:00:00.000Z',
  endedAt: '2026-12-01T00:00:01.000Z',
  startedSeq: 3,
};

describe('snapshot JSON', () => {
  it('writes the fields in the contract order whatever the order of the object', () => {
    const reversed = Object.fromEntries(Object.entries(call).reverse()) as unknown as ToolCallView;
    expect(toolCallJson(reversed)).toBe(toolCallJson(call));
    expect(Object.keys(JSON.parse(toolCallJson(reversed)) as object)).toEqual(Object.keys(call));
    expect(JSON.parse(toolCallJson(call))).toEqual(call);
  });

  it('writes a missing nullable field as null, as Postgres writes a NULL column, and drops unknown ones', () => {
    const { input: _input, ...withoutInput } = call;
    const extra = { ...withoutInput, priority: 'high' } as unknown as ToolCallView;
    expect(JSON.parse(toolCallJson(extra))).toEqual({ ...call, input: null });
    expect(messageJson({ seq: 4, role: 'assistant', text: 'hi', at: 'now' })).toBe(
      '{"seq":4,"role":"assistant","text":"hi","at":"now"}',
    );
  });

  it('makes the whole snapshot from its head, the calls, the messages and the tail', () => {
    const snapshot: Snapshot = {
      seq: 9,
      session: {
        id: 's',
        projectId: 'p',
        status: 'running',
        agent: 'demo',
        agentId: 'demo',
        model: null,
        projectName: 'n',
        prompt: null,
        createdAt: 'c',
        startedAt: null,
        endedAt: null,
        error: null,
        usage: { tokens: 3 },
        progress: { completed: 1, total: 2, percent: 50 },
        audit: [{ action: 'started', keyName: 'k', keyPrefix: null, at: 'a' }],
      },
      todos: [
        { index: 0, content: 'a', activeForm: 'A', status: 'completed' },
        { index: 1, content: 'b', activeForm: 'B', status: 'pending' },
      ],
      toolCalls: [call],
      messages: [{ seq: 5, role: 'assistant', text: 'hi', at: 'now' }],
    };
    const text =
      snapshotHeadJson(snapshot.seq, snapshot.session, snapshot.todos) +
      toolCallJson(call) +
      BETWEEN_CALLS_AND_MESSAGES +
      messageJson(snapshot.messages[0]) +
      SNAPSHOT_TAIL;
    expect(JSON.parse(text)).toEqual(snapshot);
    expect(text).toBe(JSON.stringify(snapshot)); // the contract's order is the objects' here
  });

  it('cuts previews by characters as Postgres does, never splitting a surrogate pair', () => {
    expect(leftChars('abc', 3)).toBe('abc');
    expect(leftChars('abcd', 3)).toBe('abc');
    expect(leftChars('😀😀😀', 2)).toBe('😀😀');
    expect(leftChars('😀😀', 2)).toBe('😀😀'); // 4 code units, 2 characters: whole
    expect(leftChars('a😀b', 2)).toBe('a😀');
    expect(leftChars('', 0)).toBe('');
  });

  it('marks a shortened output and leaves others (and previews) as they are', () => {
    expect(previewCall(call, 0)).toBe(call);
    expect(previewCall(call, 6)).toBe(call);
    const preview = previewCall(call, 4);
    expect(preview).toEqual({ ...call, output: 'abcd', outputTruncated: true });
    expect(previewCall(preview, 4)).toBe(preview);
    expect(previewCall({ ...call, output: null, status: 'running' }, 1).output).toBeNull();
    // Shortened by the runner already: stays marked.
    const runnerShortened = { ...call, outputTruncated: true };
    expect(previewCall(runnerShortened, 10)).toBe(runnerShortened);
  });
});
