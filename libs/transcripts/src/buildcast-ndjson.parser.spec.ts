import { expectWellFormed, fold, jsonl, ofType, parseAll } from './test/parse-helpers.js';

const todos = (statuses: string[]) => ({
  type: 'todos.updated',
  data: { todos: statuses.map((status, i) => ({ content: `T${i}`, activeForm: `Doing T${i}`, status })) },
});

describe('BuildcastNdjsonParser', () => {
  it('passes valid events through, with who and where from the context', () => {
    const { events, parser } = parseAll(
      'buildcast-ndjson',
      jsonl(
        {
          seq: 9,
          at: 'x',
          type: 'session.started',
          data: { agentId: 'someone', model: 'gpt-x', projectName: 'other' },
        },
        todos(['in_progress', 'pending']),
        { type: 'tool.started', data: { toolCallId: 'a', name: 'Read', input: { p: 1 } } },
        { type: 'tool.finished', data: { toolCallId: 'a', output: 'text', isError: false } },
        {
          type: 'tool.started',
          data: { toolCallId: 'b', name: 'Bash', input: {}, todoIndex: null, parentToolCallId: 'a' },
        },
        {
          type: 'tool.finished',
          data: { toolCallId: 'b', output: { code: 1 }, isError: true, outputTruncated: true },
        },
        { type: 'message', data: { role: 'assistant', text: 'Done' } },
        todos(['completed', 'completed']),
        { type: 'session.finished', data: { status: 'completed', usage: { tokens: 5 } } },
      ),
    );
    expect(parser.stats).toEqual({ lines: 9, notJson: 0, malformed: 0, ignored: 0 });
    expectWellFormed(events);
    expect(events[0]).toEqual({
      type: 'session.started',
      data: { agentId: 'test-agent', model: 'gpt-x', projectName: 'test-project', prompt: 'Do the thing' },
    });
    expect(ofType(events, 'tool.started').map((s) => s.todoIndex)).toEqual([0, null]);
    expect(ofType(events, 'tool.started').map((s) => s.parentToolCallId)).toEqual([undefined, 'a']);
    expect(ofType(events, 'tool.finished')[1]).toEqual({
      toolCallId: 'b',
      output: '{"code":1}',
      isError: true,
      outputTruncated: true,
    });
    // session.finished comes from end(), not from its line.
    expect(events.at(-1)).toEqual({
      type: 'session.finished',
      data: { status: 'completed', error: null, usage: { tokens: 5 } },
    });
    const state = fold(events);
    expect(state.session.status).toBe('completed');
    expect(state.toolCalls.map((c) => [c.name, c.isError])).toEqual([
      ['Read', false],
      ['Bash', true],
    ]);
  });

  it('treats a line nested deeper than MAX_JSON_DEPTH as malformed (a live agent prints it)', () => {
    const deepInput = '{"a":'.repeat(5000) + '1' + '}'.repeat(5000);
    const deepLine = `{"type":"tool.started","data":{"toolCallId":"t","name":"X","input":${deepInput},"todoIndex":null}}`;
    const { events, parser } = parseAll('buildcast-ndjson', [
      deepLine,
      ...jsonl({ type: 'session.finished', data: { status: 'completed' } }),
    ]);
    expect(parser.stats).toEqual({ lines: 2, notJson: 0, malformed: 1, ignored: 0 });
    expect(ofType(events, 'tool.started')).toEqual([]);
    expect(ofType(events, 'session.finished')[0]).toMatchObject({ status: 'completed' });
  });

  it('counts invalid lines as malformed and unknown types as ignored', () => {
    const { events, parser } = parseAll(
      'buildcast-ndjson',
      jsonl(
        { type: 'session.started', data: {} },
        { type: 'todos.updated' },
        { type: 'todos.updated', data: { todos: [{ content: 'x', status: 'done' }] } },
        { type: 'todos.updated', data: { todos: 'x' } },
        { type: 'tool.started', data: { toolCallId: 'a' } },
        { type: 'tool.started', data: { toolCallId: 'a', name: 'X', todoIndex: -1 } },
        { type: 'tool.started', data: { toolCallId: 'a', name: 'X', parentToolCallId: 5 } },
        { type: 'tool.finished', data: { toolCallId: 'a', output: '' } },
        { type: 'message', data: { role: 'user', text: 'hi' } },
        { type: 'session.finished', data: { status: 'running' } },
        { type: 'session.finished', data: { status: 'failed', error: 42 } },
        { type: 'session.started', data: { model: 7 } },
        { type: 'telemetry', data: {} },
        { data: {} },
        'nope',
      ),
    );
    expect(parser.stats).toEqual({ lines: 15, notJson: 1, malformed: 12, ignored: 1 });
    expectWellFormed(events);
    expect(events.map((e) => e.type)).toEqual(['session.started', 'message', 'message', 'session.finished']);
    expect(ofType(events, 'message').map((m) => m.text)).toEqual([
      'Skipped 1 non-JSON line(s)',
      'Skipped 12 malformed transcript line(s)',
    ]);
    expect(ofType(events, 'session.finished')[0]).toEqual({
      status: 'failed',
      error: 'Transcript ended without a final result',
    });
  });

  it('drops a repeated tool.started and reports an earlier failure of a multi-run file', () => {
    const { events } = parseAll(
      'buildcast-ndjson',
      jsonl(
        { type: 'session.started', data: {} },
        { type: 'tool.started', data: { toolCallId: 'a', name: 'X', input: {}, todoIndex: null } },
        { type: 'tool.started', data: { toolCallId: 'a', name: 'X', input: {}, todoIndex: null } },
        { type: 'session.finished', data: { status: 'failed', error: 'first' } },
        { type: 'session.started', data: { model: 'ignored' } },
        { type: 'session.finished', data: { status: 'completed' } },
      ),
    );
    expectWellFormed(events);
    expect(ofType(events, 'session.started')[0].model).toBe('context-model');
    expect(ofType(events, 'tool.started')).toHaveLength(1);
    expect(ofType(events, 'message').map((m) => m.text)).toEqual(['Run failed: first']);
    expect(ofType(events, 'session.finished')[0].status).toBe('completed');
  });
});
