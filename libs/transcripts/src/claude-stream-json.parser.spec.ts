import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  CONTEXT,
  FIXTURES_DIR,
  expectWellFormed,
  fold,
  jsonl,
  ofType,
  parseAll,
} from './test/parse-helpers.js';
import { createParser } from './transcript-parser.js';

const init = (model = 'claude-sonnet-5') => ({ type: 'system', subtype: 'init', model, session_id: 's' });
const assistant = (content: unknown[], id = 'msg_1') => ({ type: 'assistant', message: { id, content } });
const toolUse = (id: string, name: string, input: unknown) => ({ type: 'tool_use', id, name, input });
const toolResult = (id: string, content: unknown, isError = false, extra: object = {}) => ({
  type: 'user',
  message: { role: 'user', content: [{ type: 'tool_result', tool_use_id: id, content, is_error: isError }] },
  ...extra,
});
const result = (extra: object = {}) => ({
  type: 'result',
  subtype: 'success',
  is_error: false,
  result: 'ok',
  ...extra,
});
const todoWrite = (id: string, statuses: string[]) =>
  assistant([
    toolUse(id, 'TodoWrite', {
      todos: statuses.map((status, i) => ({
        content: `Step ${i + 1}`,
        activeForm: `Doing step ${i + 1}`,
        status,
      })),
    }),
  ]);

describe('ClaudeStreamJsonParser', () => {
  it('counts malformed lines, skips them and says so at the end', () => {
    const { events, parser } = parseAll(
      'claude-stream-json',
      jsonl(
        init(),
        'not json {',
        '[1, 2]',
        '"a string"',
        { no: 'type' },
        { type: 'assistant' },
        { type: 'user', message: { content: 5 } },
        '',
        '   ',
        { type: 'stream_event', event: {} },
        { type: 'rate_limit_event' },
        { type: 'system', subtype: 'status' },
        result(),
      ),
    );
    expect(parser.stats).toEqual({ lines: 11, notJson: 1, malformed: 5, ignored: 3 });
    expectWellFormed(events);
    expect(ofType(events, 'message').map((m) => m.text)).toEqual([
      'Skipped 1 non-JSON line(s)',
      'Skipped 5 malformed transcript line(s)',
    ]);
    expect(ofType(events, 'session.finished')[0].status).toBe('completed');
  });

  it('never throws on odd shapes inside a valid line', () => {
    const parser = createParser('claude-stream-json', CONTEXT);
    const odd = [
      assistant([null, 5, 'text', { type: 'tool_use' }, { type: 'text' }, { type: 'text', text: '   ' }]),
      { type: 'user', message: { content: [null, { type: 'tool_result' }, { type: 'text', text: 'hi' }] } },
      { type: 'result', usage: 'lots' },
      assistant([toolUse('t1', 'TaskUpdate', null), toolUse('t2', 'TodoWrite', { todos: 'x' })]),
    ];
    for (const line of jsonl(...odd)) expect(() => parser.parseLine(line)).not.toThrow();
    expect(() => parser.end()).not.toThrow();
  });

  it('emits session.started once even for several init lines, and by itself when init is missing', () => {
    const twice = parseAll('claude-stream-json', jsonl(init('m1'), result(), init('m2'), result())).events;
    expectWellFormed(twice);
    expect(ofType(twice, 'session.started')[0].model).toBe('m1');

    const none = parseAll(
      'claude-stream-json',
      jsonl(assistant([{ type: 'text', text: 'Hi' }]), result()),
    ).events;
    expectWellFormed(none);
    expect(ofType(none, 'session.started')[0]).toEqual({
      agentId: 'test-agent',
      model: 'context-model',
      projectName: 'test-project',
      prompt: 'Do the thing',
    });
  });

  it('turns tool_use and tool_result into tool calls with string output', () => {
    const { events } = parseAll(
      'claude-stream-json',
      jsonl(
        init(),
        assistant([
          { type: 'thinking', thinking: 'hmm' },
          { type: 'text', text: 'Looking.' },
          toolUse('a', 'Read', { file_path: 'x' }),
        ]),
        toolResult('a', [
          { type: 'text', text: 'line 1' },
          { type: 'text', text: 'line 2' },
        ]),
        assistant([toolUse('b', 'Bash', { command: 'ls' })]),
        toolResult('b', { exit: 1 }, true),
        toolResult('unknown', 'x'),
        result(),
      ),
    );
    expect(ofType(events, 'tool.started')).toEqual([
      { toolCallId: 'a', name: 'Read', input: { file_path: 'x' }, todoIndex: null },
      { toolCallId: 'b', name: 'Bash', input: { command: 'ls' }, todoIndex: null },
    ]);
    expect(ofType(events, 'tool.finished')).toEqual([
      { toolCallId: 'a', output: 'line 1\nline 2', isError: false },
      { toolCallId: 'b', output: '{"exit":1}', isError: true },
    ]);
    expect(ofType(events, 'message').map((m) => m.text)).toEqual(['Looking.']);
  });

  it('starts a repeated tool_use id once (one line per block with the same message id)', () => {
    const block = toolUse('dup', 'Grep', { pattern: 'x' });
    const text = { type: 'text', text: 'Searching.' };
    const { events } = parseAll(
      'claude-stream-json',
      jsonl(
        init(),
        assistant([text]),
        assistant([text, block]),
        assistant([block]),
        toolResult('dup', 'found'),
        toolResult('dup', 'again'),
        result(),
      ),
    );
    expectWellFormed(events);
    expect(ofType(events, 'tool.started')).toHaveLength(1);
    expect(ofType(events, 'tool.finished')).toHaveLength(1);
    expect(ofType(events, 'message')).toHaveLength(1);
  });

  it('shows TodoWrite as the todo list, not as a tool call, and nests calls under the todo in progress', () => {
    const { events } = parseAll(
      'claude-stream-json',
      jsonl(
        init(),
        todoWrite('tw1', ['completed', 'in_progress', 'pending']),
        toolResult('tw1', 'Todos have been modified successfully'),
        assistant([toolUse('r1', 'Read', { file_path: 'a' })]),
        toolResult('r1', 'a'),
        assistant([toolUse('tw2', 'TodoWrite', { todos: [{ content: 'Only', status: 'weird' }] })]),
        result(),
      ),
    );
    const updates = ofType(events, 'todos.updated');
    expect(updates[0].todos).toEqual([
      { content: 'Step 1', activeForm: 'Doing step 1', status: 'completed' },
      { content: 'Step 2', activeForm: 'Doing step 2', status: 'in_progress' },
      { content: 'Step 3', activeForm: 'Doing step 3', status: 'pending' },
    ]);
    // activeForm falls back to content; an unknown status reads as pending.
    expect(updates[1].todos).toEqual([{ content: 'Only', activeForm: 'Only', status: 'pending' }]);
    expect(ofType(events, 'tool.started')).toEqual([
      { toolCallId: 'r1', name: 'Read', input: { file_path: 'a' }, todoIndex: 1 },
    ]);
    expect(ofType(events, 'tool.finished').map((f) => f.toolCallId)).toEqual(['r1']);
  });

  it('supports Gemini write_todos', () => {
    const { events } = parseAll(
      'claude-stream-json',
      jsonl(
        init(),
        assistant([
          toolUse('w', 'write_todos', {
            todos: [
              { description: 'A', status: 'completed' },
              { description: 'B', status: 'cancelled' },
              { description: 'C', status: 'in_progress' },
            ],
          }),
        ]),
      ),
    );
    expect(fold(events).todos.map((t) => [t.content, t.status])).toEqual([
      ['A', 'completed'],
      ['C', 'in_progress'],
    ]);
  });

  it('tracks TaskCreate / TaskUpdate, including renames, deletion and failed creates', () => {
    const { events } = parseAll(
      'claude-stream-json',
      jsonl(
        init(),
        assistant([
          toolUse('c1', 'TaskCreate', { subject: 'First', description: 'd', activeForm: 'Doing first' }),
        ]),
        toolResult('c1', 'Task #1 created successfully: First', false, {
          tool_use_result: { task: { id: '1' } },
        }),
        // No tool_use_result: the id comes from the result text.
        assistant([toolUse('c2', 'TaskCreate', { subject: 'Second', description: 'd' })]),
        toolResult('c2', 'Task #2 created successfully: Second'),
        assistant([toolUse('c3', 'TaskCreate', { subject: 'Refused', description: 'd' })]),
        toolResult('c3', 'Error: no', true),
        assistant([
          toolUse('u1', 'TaskUpdate', { taskId: '2', status: 'in_progress', subject: 'Second, renamed' }),
        ]),
        toolResult('u1', 'Updated task #2 status'),
        assistant([toolUse('r', 'Read', { file_path: 'f' })]),
        toolResult('r', 'f'),
        assistant([toolUse('u2', 'TaskUpdate', { taskId: '1', status: 'deleted' })]),
        assistant([toolUse('u3', 'TaskUpdate', { taskId: '99', status: 'completed' })]),
        assistant([toolUse('g', 'TaskList', {})]),
        toolResult('g', '#2 ...'),
      ),
    );
    const lists = ofType(events, 'todos.updated').map((u) =>
      u.todos.map((t) => `${t.content}|${t.activeForm}|${t.status}`),
    );
    expect(lists).toEqual([
      ['First|Doing first|pending'],
      ['First|Doing first|pending', 'Second|Second|pending'],
      ['First|Doing first|pending', 'Second, renamed|Second, renamed|in_progress'],
      ['Second, renamed|Second, renamed|in_progress'],
    ]);
    // The refused TaskCreate is shown as a failed call; the other todo tools are not calls.
    expect(ofType(events, 'tool.started')).toEqual([
      {
        toolCallId: 'c3',
        name: 'TaskCreate',
        input: { subject: 'Refused', description: 'd' },
        todoIndex: null,
      },
      { toolCallId: 'r', name: 'Read', input: { file_path: 'f' }, todoIndex: 1 },
    ]);
    expect(ofType(events, 'tool.finished').map((f) => [f.toolCallId, f.isError])).toEqual([
      ['c3', true],
      ['r', false],
    ]);
    // No result line and one todo still open.
    expect(ofType(events, 'session.finished')[0]).toEqual({
      status: 'failed',
      error: 'Transcript ended without a final result (0 of 1 todos completed)',
    });
  });

  it('without a result line: completed when every todo is done, failed with a reason otherwise', () => {
    const done = parseAll(
      'claude-stream-json',
      jsonl(init(), todoWrite('t', ['completed', 'completed'])),
    ).events;
    expect(ofType(done, 'session.finished')[0]).toEqual({ status: 'completed', error: null });

    const partial = parseAll(
      'claude-stream-json',
      jsonl(init(), todoWrite('t', ['completed', 'completed', 'in_progress'])),
    );
    expect(ofType(partial.events, 'session.finished')[0]).toEqual({
      status: 'failed',
      error: 'Transcript ended without a final result (2 of 3 todos completed)',
    });

    const empty = parseAll('claude-stream-json', []).events;
    expect(empty.map((e) => e.type)).toEqual(['session.started', 'session.finished']);
    expect(ofType(empty, 'session.finished')[0].error).toBe('Transcript ended without a final result');
  });

  it('fails on an error result, keeping usage and cost', () => {
    const { events } = parseAll(
      'claude-stream-json',
      jsonl(
        init(),
        result({
          is_error: true,
          result: 'API Error: overloaded',
          usage: { input_tokens: 3 },
          total_cost_usd: 0.01,
        }),
      ),
    );
    expect(ofType(events, 'session.finished')[0]).toEqual({
      status: 'failed',
      error: 'API Error: overloaded',
      usage: { input_tokens: 3, costUsd: 0.01 },
    });
    const bySubtype = parseAll(
      'claude-stream-json',
      jsonl(init(), { type: 'result', subtype: 'error_max_turns', is_error: true }),
    );
    expect(ofType(bySubtype.events, 'session.finished')[0].error).toBe('error_max_turns');
  });

  it('ends a multi-run transcript once, with the last result', () => {
    const failedLast = parseAll(
      'claude-stream-json',
      jsonl(init(), result(), init(), result({ is_error: true, result: 'boom' })),
    ).events;
    expectWellFormed(failedLast);
    expect(ofType(failedLast, 'session.finished')[0].status).toBe('failed');

    // A later run that never reports a result decides by its own state, not the earlier success.
    const unfinished = parseAll(
      'claude-stream-json',
      jsonl(init(), result(), init(), assistant([{ type: 'text', text: 'hi' }])),
    ).events;
    expect(ofType(unfinished, 'session.finished')[0].status).toBe('failed');
  });
});

/** Real excerpts (test/fixtures/transcripts, see SOURCES.md). */
describe('ClaudeStreamJsonParser on real output', () => {
  const lines = (file: string) =>
    readFileSync(path.join(FIXTURES_DIR, file), 'utf8').split('\n').filter(Boolean);
  const OFFLINE = 'claude-stream-json_2.1.328-offline-hooks-not-logged-in.jsonl';
  const BACKGROUND = 'claude-stream-json_2.1.328-background-agent-two-results.jsonl';
  const STDERR = 'claude-stream-json_2.1.328-subagent-call-ids-stderr.jsonl';
  const RATE_LIMIT_FIRST = 'claude-stream-json_subagent-task-notification.jsonl';
  const COMPACT = 'claude-stream-json_2.1.328-compact.jsonl';

  it('reads a result line whose first key is not `type`, after hook lines that come before init', () => {
    const offline = lines(OFFLINE);
    expect(Object.keys(JSON.parse(offline.at(-1)!) as object)[0]).toBe('duration_api_ms');
    const { events, parser } = parseAll('claude-stream-json', offline);
    expect(events[0]).toMatchObject({ type: 'session.started', data: { model: 'claude-opus-5-5' } });
    expect(parser.stats.ignored).toBe(4); // hook_started, hook_response ×2
    expect(ofType(events, 'session.finished')[0]).toMatchObject({
      status: 'failed',
      error: 'Not logged in · Please run /login',
    });
  });

  it('is one session over several init and result lines, and the last result decides', () => {
    const background = lines(BACKGROUND);
    const types = background
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(types.filter((l) => l.subtype === 'init')).toHaveLength(2);
    expect(types.filter((l) => l.type === 'result').map((l) => l.result_index)).toHaveLength(2);
    const { events } = parseAll('claude-stream-json', background);
    expectWellFormed(events);
    // The second result's usage (one turn after the background agent), not the first's.
    expect(ofType(events, 'session.finished')[0]).toMatchObject({
      status: 'completed',
      usage: { input_tokens: 100 },
    });
  });

  it('says nothing for system subtypes, rate limits and token deltas, even as the first line', () => {
    expect((JSON.parse(lines(RATE_LIMIT_FIRST)[0]) as { type: string }).type).toBe('rate_limit_event');
    for (const file of [OFFLINE, BACKGROUND, STDERR, RATE_LIMIT_FIRST, COMPACT]) {
      const parser = createParser('claude-stream-json', CONTEXT);
      for (const line of lines(file)) {
        const value = line.startsWith('{') ? (JSON.parse(line) as Record<string, unknown>) : null;
        const events = parser.parseLine(line);
        const silent =
          value?.type === 'rate_limit_event' || (value?.type === 'system' && value.subtype !== 'init');
        if (silent) expect(events).toEqual([]);
      }
    }
    const first = parseAll('claude-stream-json', lines(RATE_LIMIT_FIRST)).events;
    expect(first[0].type).toBe('session.started');
    expect(ofType(first, 'session.finished')[0].status).toBe('completed');
  });

  it('skips and counts stderr lines between the JSON lines, and keeps every call_00_ call', () => {
    const { events, parser } = parseAll('claude-stream-json', lines(STDERR));
    expect(parser.stats).toMatchObject({ notJson: 1, malformed: 0 });
    const calls = fold(events).toolCalls;
    expect(calls).toHaveLength(7);
    expect(calls.every((call) => call.id.startsWith('call_00_') && call.status !== 'running')).toBe(true);
    expect(ofType(events, 'session.finished')[0].status).toBe('completed');
  });

  it('takes back the list of a TodoWrite the CLI refused', () => {
    const { events } = parseAll('claude-stream-json', lines(BACKGROUND));
    const lists = ofType(events, 'todos.updated').map((u) => u.todos.map((t) => t.status));
    expect(lists).toEqual([['in_progress', 'pending'], [], ['completed', 'completed'], []]);
    expect(fold(events).todos).toEqual([]);
  });
});
