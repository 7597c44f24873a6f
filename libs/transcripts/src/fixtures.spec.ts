import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { FinishedStatus, TodoStatus, TranscriptFormat } from '#contracts';
import { CONTEXT, FIXTURES_DIR, expectWellFormed, fold, ofType, parseAll } from './test/parse-helpers.js';

interface Expected {
  format: TranscriptFormat;
  model: string | null;
  todos: Array<[content: string, status: TodoStatus]>;
  /** name, isError, todoIndex */
  toolCalls: Array<[name: string, isError: boolean, todoIndex: number | null]>;
  status: FinishedStatus;
  error: string | null;
  messages: string[];
  /** parentToolCallId of each tool call, when the transcript has sub-agents. */
  parents?: Array<string | null>;
}

const LOGIN = 'Not logged in · Please run /login';
const ALPHA = 'The sub-agent says the first word is "alpha".';
const AGENT_2_1_328 = 'call_00_ve6t4vtggnxxnrwf7ah00y9x';
const REFUSED_TASKS: Expected['toolCalls'] = [
  ['TaskCreate', true, null],
  ['TaskCreate', true, null],
  ['TaskUpdate', true, null],
  ['Agent', false, null],
];
const CODEX_404 = 'unexpected status 404 Not Found: {}, url: http://127.0.0.1:18555/v1/responses';

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
  'claude-stream-json_subagent-task-notification.jsonl': {
    format: 'claude-stream-json',
    // The excerpt starts at its rate_limit_event: no init, so the context's model.
    model: CONTEXT.model,
    todos: [],
    toolCalls: [
      ['Agent', false, null],
      ['Bash', false, null],
      ['Read', false, null],
    ],
    parents: [null, 'toolu_018p31vMhM5kEr97n4CL84fN', 'toolu_018p31vMhM5kEr97n4CL84fN'],
    status: 'completed',
    error: null,
    messages: ['The subagent reported the first word of b.txt is **hello**.'],
  },
  'claude-stream-json_2.1.328-offline-hooks-not-logged-in.jsonl': {
    format: 'claude-stream-json',
    model: 'claude-opus-5-5',
    todos: [],
    toolCalls: [],
    status: 'failed',
    error: LOGIN,
    messages: [LOGIN, `Run failed: ${LOGIN}`],
  },
  'claude-stream-json_2.1.328-subagent-call-ids-stderr.jsonl': {
    format: 'claude-stream-json',
    model: 'deepseek-v4-pro',
    // The CLI refused the task tools: they are failed calls and the list stays empty.
    todos: [],
    toolCalls: [
      ...REFUSED_TASKS,
      ['Read', false, null],
      ['TaskUpdate', true, null],
      ['TaskUpdate', true, null],
    ],
    parents: [null, null, null, null, AGENT_2_1_328, null, null],
    status: 'completed',
    error: null,
    messages: ['Planning the work.', ALPHA, 'Skipped 1 non-JSON line(s)'],
  },
  'claude-stream-json_2.1.328-background-agent-two-results.jsonl': {
    format: 'claude-stream-json',
    model: 'deepseek-v4-pro',
    todos: [],
    toolCalls: [
      ['TodoWrite', true, null],
      ['Agent', false, null],
      ['TodoWrite', true, null],
      ['Read', false, null],
    ],
    parents: [null, null, null, 'call_00_2i9smw7d1y6x4zsp9o7d6pqx'],
    status: 'completed',
    error: null,
    // The second run (after the background agent finished) says it again.
    messages: ['Planning the work.', ALPHA, ALPHA, 'Skipped 1 non-JSON line(s)'],
  },
  'claude-stream-json_2.1.328-compact.jsonl': {
    format: 'claude-stream-json',
    model: 'deepseek-v4-pro',
    todos: [],
    toolCalls: [],
    status: 'completed',
    error: null,
    messages: ['Skipped 1 non-JSON line(s)'],
  },
  'claude-session-log_2.1.328-subagent-call-ids.jsonl': {
    format: 'claude-session-log',
    model: 'deepseek-v4-pro',
    todos: [],
    toolCalls: [...REFUSED_TASKS, ['TaskUpdate', true, null], ['TaskUpdate', true, null]],
    // Ends on the agent's answer; the later /compact is the user's terminal, not a turn.
    status: 'completed',
    error: null,
    messages: ['Planning the work.', ALPHA],
  },
  'claude-session-log_2.1.29-todowrite-task.jsonl': {
    format: 'claude-session-log',
    model: 'deepseek-v4-pro',
    todos: [
      ['Delegate reading notes.txt', 'completed'],
      ['Report the first word', 'completed'],
    ],
    toolCalls: [['Task', false, 0]],
    status: 'completed',
    error: null,
    messages: ['Planning the work.', ALPHA],
  },
  'claude-session-log_2.1.328-not-logged-in.jsonl': {
    format: 'claude-session-log',
    // The CLI's own message says `<synthetic>`: no model of the agent.
    model: CONTEXT.model,
    todos: [],
    toolCalls: [],
    status: 'failed',
    error: LOGIN,
    messages: [LOGIN],
  },
  'codex-exec-json_0.169.0-offline-reconnecting.jsonl': {
    format: 'codex-json',
    model: CONTEXT.model,
    todos: [],
    toolCalls: [],
    // The turn never ended: its last error is the reason.
    status: 'failed',
    error: 'Reconnecting... waiting for network (Connection failed: error sending request)',
    messages: [
      'Warning: Reconnecting... 2/5 (stream disconnected before completion: failed to lookup address information: Name does not resolve)',
      'Warning: Falling back from WebSockets to HTTPS transport. stream disconnected before completion: failed to lookup address information: Name does not resolve',
      'Warning: Reconnecting... waiting for network (Connection failed: error sending request)',
    ],
  },
  'codex-exec-json_0.169.0-turn-failed.jsonl': {
    format: 'codex-json',
    model: CONTEXT.model,
    todos: [],
    toolCalls: [],
    status: 'failed',
    error: CODEX_404,
    messages: [
      `Warning: Reconnecting... 1/1 (${CODEX_404})`,
      `Warning: ${CODEX_404}`,
      `Run failed: ${CODEX_404}`,
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
    expect(fixtureFiles.length).toBeGreaterThanOrEqual(15);
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

    it('links sub-agent calls to their Agent / Task call', () => {
      const parents = state.toolCalls.map((call) => call.parentToolCallId);
      expect(parents).toEqual(expected.parents ?? state.toolCalls.map(() => null));
      const ids = new Set(state.toolCalls.map((call) => call.id));
      expect(parents.every((parent) => parent === null || ids.has(parent))).toBe(true);
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
