import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES_DIR, expectWellFormed, fold, jsonl, ofType, parseAll } from './test/parse-helpers.js';

const thread = { type: 'thread.started', thread_id: 't' };
const turn = { type: 'turn.started' };
const done = { type: 'turn.completed', usage: { input_tokens: 10, output_tokens: 2 } };
const item = (phase: 'started' | 'updated' | 'completed', body: object) => ({
  type: `item.${phase}`,
  item: body,
});
const command = (id: string, extra: object) => ({
  id,
  type: 'command_execution',
  command: 'npm test',
  aggregated_output: '',
  exit_code: null,
  status: 'in_progress',
  ...extra,
});
const todoList = (id: string, completed: boolean[]) => ({
  id,
  type: 'todo_list',
  items: completed.map((isDone, i) => ({ text: `Todo ${i + 1}`, completed: isDone })),
});

describe('CodexJsonParser', () => {
  it('marks a failed command as an error (status failed or non-zero exit code)', () => {
    const { events } = parseAll(
      'codex-json',
      jsonl(
        thread,
        turn,
        item('started', command('c1', {})),
        item('updated', command('c1', { aggregated_output: 'partial' })),
        item('completed', command('c1', { aggregated_output: 'FAIL\n', exit_code: 1, status: 'completed' })),
        item('completed', command('c2', { aggregated_output: 'boom', exit_code: null, status: 'failed' })),
        item('completed', command('c3', { aggregated_output: 'ok', exit_code: 0, status: 'completed' })),
        done,
      ),
    );
    expectWellFormed(events);
    expect(ofType(events, 'tool.started').map((s) => [s.toolCallId, s.name, s.input])).toEqual([
      ['c1', 'command', { command: 'npm test' }],
      ['c2', 'command', { command: 'npm test' }],
      ['c3', 'command', { command: 'npm test' }],
    ]);
    expect(ofType(events, 'tool.finished')).toEqual([
      { toolCallId: 'c1', output: 'FAIL\n', isError: true },
      { toolCallId: 'c2', output: 'boom', isError: true },
      { toolCallId: 'c3', output: 'ok', isError: false },
    ]);
    expect(ofType(events, 'session.finished')[0]).toEqual({
      status: 'completed',
      error: null,
      usage: { input_tokens: 10, output_tokens: 2 },
    });
  });

  it('gives an item first seen at completion both start and finish in one batch', () => {
    const { events } = parseAll(
      'codex-json',
      jsonl(thread, item('completed', { id: 'w', type: 'web_search', query: 'q' })),
    );
    expect(events.map((e) => e.type)).toEqual([
      'session.started',
      'tool.started',
      'tool.finished',
      'session.finished',
    ]);
    expect(ofType(events, 'tool.started')[0].input).toEqual({ query: 'q' });
  });

  it('shows the todo list with the first open item in progress, only when it changes', () => {
    const { events } = parseAll(
      'codex-json',
      jsonl(
        thread,
        turn,
        item('started', todoList('l', [false, false])),
        item('updated', todoList('l', [false, false])),
        item('completed', command('c', { exit_code: 0, status: 'completed' })),
        item('updated', todoList('l', [true, false])),
        done,
      ),
    );
    const lists = ofType(events, 'todos.updated').map((u) => u.todos.map((t) => t.status));
    // At the turn's end nothing is in progress any more.
    expect(lists).toEqual([
      ['in_progress', 'pending'],
      ['completed', 'in_progress'],
      ['completed', 'pending'],
    ]);
    expect(ofType(events, 'tool.started')[0].todoIndex).toBe(0);
    expect(ofType(events, 'todos.updated')[0].todos[0]).toEqual({
      content: 'Todo 1',
      activeForm: 'Todo 1',
      status: 'in_progress',
    });
  });

  it('keeps the turn failure reason over the trailing error, and a top-level error alone fails', () => {
    const failed = parseAll(
      'codex-json',
      jsonl(
        thread,
        turn,
        { type: 'turn.failed', error: { message: 'quota' } },
        { type: 'error', message: 'exited 1' },
      ),
    ).events;
    expect(ofType(failed, 'session.finished')[0]).toEqual({ status: 'failed', error: 'quota' });

    const errorOnly = parseAll(
      'codex-json',
      jsonl(thread, turn, done, { type: 'error', message: 'stream lost' }),
    ).events;
    expect(ofType(errorOnly, 'session.finished')[0]).toEqual({ status: 'failed', error: 'stream lost' });
  });

  it('ends with the last turn: a later success wins, the earlier failure is told as a message', () => {
    const { events } = parseAll(
      'codex-json',
      jsonl(thread, turn, { type: 'turn.failed', error: { message: 'first try broke' } }, turn, done),
    );
    expectWellFormed(events);
    expect(ofType(events, 'message').map((m) => m.text)).toEqual(['Run failed: first try broke']);
    expect(ofType(events, 'session.finished')[0].status).toBe('completed');
  });

  it('keeps tool call ids unique when a second thread reuses item ids', () => {
    const { events } = parseAll(
      'codex-json',
      jsonl(
        thread,
        turn,
        item('completed', command('item_1', { exit_code: 0, status: 'completed' })),
        done,
        thread,
        turn,
        item('started', command('item_1', {})),
        item('completed', command('item_1', { exit_code: 0, status: 'completed' })),
        done,
      ),
    );
    expectWellFormed(events);
    expect(ofType(events, 'tool.started').map((s) => s.toolCallId)).toEqual(['item_1', 'item_1#2']);
    expect(fold(events).toolCalls.every((call) => call.status === 'succeeded')).toBe(true);
  });

  it('fails a transcript that stops mid-turn, and counts malformed and unknown lines', () => {
    const { events, parser } = parseAll(
      'codex-json',
      jsonl(
        thread,
        turn,
        item('started', command('c', {})),
        { type: 'item.started' },
        { type: 'item.completed', item: { type: 'agent_message' } },
        { type: 'item.completed', item: { id: 'x', type: 'todo_list' } },
        { type: 'item.completed', item: { id: 'y', type: 'future_item' } },
        { type: 'session.configured' },
      ),
    );
    expect(parser.stats).toEqual({ lines: 8, notJson: 0, malformed: 3, ignored: 2 });
    expect(ofType(events, 'message').map((m) => m.text)).toEqual(['Skipped 3 malformed transcript line(s)']);
    expect(ofType(events, 'session.finished')[0]).toEqual({
      status: 'failed',
      error: 'Transcript ended without a final result',
    });
  });

  it('names MCP calls server.tool and reports their errors', () => {
    const mcp = {
      id: 'm',
      type: 'mcp_tool_call',
      server: 'db',
      tool: 'query',
      arguments: { sql: 'select 1' },
    };
    const { events } = parseAll(
      'codex-json',
      jsonl(
        thread,
        item('started', { ...mcp, status: 'in_progress' }),
        item('completed', {
          ...mcp,
          status: 'completed',
          result: {
            content: [
              { type: 'text', text: 'a' },
              { type: 'text', text: 'b' },
            ],
          },
        }),
        item('completed', { ...mcp, id: 'm2', status: 'failed', error: { message: 'denied' } }),
      ),
    );
    expect(ofType(events, 'tool.started').map((s) => [s.name, s.input])).toEqual([
      ['db.query', { sql: 'select 1' }],
      ['db.query', { sql: 'select 1' }],
    ]);
    expect(ofType(events, 'tool.finished')).toEqual([
      { toolCallId: 'm', output: 'a\nb', isError: false },
      { toolCallId: 'm2', output: 'denied', isError: true },
    ]);
  });
});

/** Real excerpts (test/fixtures/transcripts, see SOURCES.md), spliced where a case needs two. */
describe('CodexJsonParser on real output', () => {
  const lines = (file: string) =>
    readFileSync(path.join(FIXTURES_DIR, file), 'utf8').split('\n').filter(Boolean);

  it('takes a transient "Reconnecting..." error for a warning when the turn then completes', () => {
    const [threadStarted, turnStarted, reconnecting] = lines('codex-exec-json_0.169.0-turn-failed.jsonl');
    const rest = lines('codex-exec-json_command-execution.jsonl').slice(2); // its items and turn.completed
    const { events } = parseAll('codex-json', [threadStarted, turnStarted, reconnecting, ...rest]);
    expect(ofType(events, 'message')[0].text).toMatch(/^Warning: Reconnecting\.\.\. 1\/1/);
    expect(ofType(events, 'message').some((m) => m.text.startsWith('Run failed'))).toBe(false);
    expect(ofType(events, 'session.finished')[0]).toMatchObject({ status: 'completed', error: null });
  });

  it('warns once per kind of retry and fails with the last error when the turn never ends', () => {
    const { events } = parseAll('codex-json', lines('codex-exec-json_0.169.0-offline-reconnecting.jsonl'));
    const reconnects = lines('codex-exec-json_0.169.0-offline-reconnecting.jsonl').filter((l) =>
      l.includes('Reconnecting'),
    );
    expect(reconnects).toHaveLength(12);
    expect(ofType(events, 'message').filter((m) => m.text.includes('Reconnecting'))).toHaveLength(2);
    expect(ofType(events, 'session.finished')[0].status).toBe('failed');
  });

  it('keeps the turn.failed reason over the errors around it', () => {
    const { events } = parseAll('codex-json', lines('codex-exec-json_0.169.0-turn-failed.jsonl'));
    expect(ofType(events, 'session.finished')[0].error).toMatch(/^unexpected status 404 Not Found/);
    expect(ofType(events, 'message').filter((m) => m.text.startsWith('Run failed'))).toHaveLength(1);
  });

  it('gives each run its own calls when item ids restart at item_0', () => {
    const runs = [
      ...lines('codex-exec-json_command-execution.jsonl'),
      ...lines('codex-exec-json_file-change.jsonl'),
    ];
    const { events } = parseAll('codex-json', runs);
    expectWellFormed(events);
    const calls = fold(events).toolCalls;
    expect(calls.map((call) => [call.name, call.status])).toEqual([
      ['command', 'succeeded'],
      ['file_change', 'succeeded'],
    ]);
    expect(new Set(calls.map((call) => call.id)).size).toBe(2);
  });

  // Hand-written item: no licensed real capture of a failing MCP call was found.
  it('fails an MCP call whose error is null', () => {
    const mcpLine = (type: string, extra: object) =>
      JSON.stringify({
        type,
        item: {
          id: 'item_1',
          type: 'mcp_tool_call',
          server: 'docs',
          tool: 'search',
          arguments: {},
          ...extra,
        },
      });
    const { events } = parseAll('codex-json', [
      '{"type":"thread.started","thread_id":"t"}',
      '{"type":"turn.started"}',
      mcpLine('item.started', { status: 'in_progress', result: null, error: null }),
      mcpLine('item.completed', { status: 'failed', result: null, error: null }),
    ]);
    const calls = fold(events).toolCalls;
    expect(calls[0]).toMatchObject({ name: 'docs.search', isError: true, output: 'MCP tool call failed' });
  });
});
