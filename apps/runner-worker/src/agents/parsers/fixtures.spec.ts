import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { FinishedStatus, TodoStatus, TranscriptFormat } from '#contracts';
import { CONTEXT, FIXTURES_DIR, expectWellFormed, fold, ofType, parseAll } from '../test/parse-helpers.js';

interface Expected {
  format: TranscriptFormat;
  model: string | null;
  todos: Array<[content: string, status: TodoStatus]>;
  /** name, isError, todoIndex */
  toolCalls: Array<[name: string, isError: boolean, todoIndex: number | null]>;
  status: FinishedStatus;
  error: string | null;
  messages: string[];
}

// Worked out by reading each fixture, not by running the parser.
const EXPECTED: Record<string, Expected> = {
  'claude-stream-json_taskcreate-taskupdate.jsonl': {
    format: 'claude-stream-json',
    model: 'claude-sonnet-5',
    todos: [
      ['read a.txt', 'completed'],
      ['read b.txt', 'completed'],
      ['report both first words', 'completed'],
    ],
    toolCalls: [
      ['ToolSearch', false, null],
      ['Read', false, 0],
      ['Read', false, 1],
    ],
    status: 'completed',
    error: null,
    messages: ['First words: a.txt → "alpha", b.txt → "hello".'],
  },
  'claude-stream-json_errors.jsonl': {
    format: 'claude-stream-json',
    // The first run's init starts the session; the second run's init adds nothing.
    model: 'claude-does-not-exist-9',
    todos: [],
    toolCalls: [
      ['Bash', true, null],
      ['Read', true, null],
    ],
    status: 'completed',
    error: null,
    messages: [
      "There's an issue with the selected model (claude-does-not-exist-9). It may not exist or you may not have access to it.",
      "Run failed: There's an issue with the selected model (claude-does-not-exist-9). It may not exist or you may not have access to it.",
      'Both ran as instructed, no retries:\n\n1. `false` — exited with code 1 (expected; the command always fails).\n2. `Read` on `does-not-exist.txt` — errored: file does not exist.',
    ],
  },
  'codex-exec-json_command-execution.jsonl': {
    format: 'codex-json',
    model: CONTEXT.model,
    todos: [],
    toolCalls: [['command', false, null]],
    status: 'completed',
    error: null,
    messages: ['Files here: `stream-output-1.jsonl`, `stream-output-2.jsonl`, `test.js`.'],
  },
  'codex-exec-json_file-change.jsonl': {
    format: 'codex-json',
    model: CONTEXT.model,
    todos: [],
    toolCalls: [['file_change', false, null]],
    status: 'completed',
    error: null,
    messages: ['Created `hello.txt` containing `Hello from Codex`.'],
  },
  'codex-exec-json_all-item-types_handwritten.jsonl': {
    format: 'codex-json',
    model: CONTEXT.model,
    todos: [
      ['Inspect repo structure', 'completed'],
      ['Run tests', 'completed'],
      ['Fix failing tests', 'completed'],
    ],
    toolCalls: [
      ['command', false, null],
      ['command', true, null],
      ['file_change', false, null],
      ['file_change', true, null],
      ['github.search_issues', false, null],
      ['github.search_issues', true, null],
      ['web_search', false, null],
    ],
    // The second turn failed; the trailing generic `error` does not replace its reason.
    status: 'failed',
    error: 'Aborted: required dependency `npm` is missing; cannot continue.',
    messages: [
      'Updated src/compute_answer.py and tests pass.',
      'Warning: command output truncated',
      'Run failed: Aborted: required dependency `npm` is missing; cannot continue.',
    ],
  },
};

const fixtureFiles = readdirSync(FIXTURES_DIR).filter((file) => file.endsWith('.jsonl'));

describe('fixtures', () => {
  it('finds the transcript fixtures', () => {
    expect(fixtureFiles.length).toBeGreaterThanOrEqual(5);
  });

  it.each(fixtureFiles)('has expectations written out for %s', (file) => {
    expect(EXPECTED[file]).toBeDefined();
  });

  describe.each(fixtureFiles.filter((file) => EXPECTED[file]))('%s', (file) => {
    const expected = EXPECTED[file];
    const text = readFileSync(path.join(FIXTURES_DIR, file), 'utf8');
    const { events, parser } = parseAll(expected.format, text);
    const state = fold(events);

    it('starts once, finishes once, with unique tool call ids', () => {
      expectWellFormed(events);
      expect(parser.stats.malformed).toBe(0);
    });

    it('starts with the context and the transcript model', () => {
      expect(ofType(events, 'session.started')[0]).toEqual({
        agentId: CONTEXT.agentId,
        model: expected.model,
        projectName: CONTEXT.projectName,
        prompt: CONTEXT.prompt,
      });
    });

    it('ends with the expected todos', () => {
      expect(state.todos.map((todo) => [todo.content, todo.status])).toEqual(expected.todos);
    });

    it('shows the expected tool calls, all finished', () => {
      expect(state.toolCalls.map((call) => [call.name, call.isError, call.todoIndex])).toEqual(
        expected.toolCalls,
      );
      expect(state.toolCalls.every((call) => call.status !== 'running')).toBe(true);
    });

    it('ends with the expected status', () => {
      const finished = ofType(events, 'session.finished')[0];
      expect(finished.status).toBe(expected.status);
      expect(finished.error ?? null).toBe(expected.error);
      expect(state.session.status).toBe(expected.status);
    });

    it('tells the expected messages', () => {
      expect(ofType(events, 'message').map((message) => message.text)).toEqual(expected.messages);
    });
  });

  it('keeps Claude usage and cost', () => {
    const text = readFileSync(
      path.join(FIXTURES_DIR, 'claude-stream-json_taskcreate-taskupdate.jsonl'),
      'utf8',
    );
    const usage = ofType(parseAll('claude-stream-json', text).events, 'session.finished')[0].usage;
    expect(usage).toMatchObject({ input_tokens: 12, output_tokens: 956, costUsd: 0.1280632 });
  });

  it('turns Codex tool items into readable outputs', () => {
    const text = readFileSync(
      path.join(FIXTURES_DIR, 'codex-exec-json_all-item-types_handwritten.jsonl'),
      'utf8',
    );
    const calls = fold(parseAll('codex-json', text).events).toolCalls;
    expect(calls.map((call) => call.output)).toEqual([
      '....\n',
      '....F\n',
      'update src/compute_answer.py\nadd README.md',
      'update src/compute_answer.py',
      'Found 3 matches.',
      'tool timeout',
      '',
    ]);
    expect(calls[0].input).toEqual({ command: 'pytest -q' });
    expect(calls[4].input).toEqual({ q: 'exec --json' });
    expect(calls[5].input).toEqual({});
  });
});
