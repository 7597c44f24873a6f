import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FIXTURES_DIR, expectWellFormed, fold, jsonl, ofType, parseAll } from './test/parse-helpers.js';

const read = (file: string) =>
  readFileSync(path.join(FIXTURES_DIR, file), 'utf8').split('\n').filter(Boolean);

/**
 * A session file and its sub-agent's file, merged by timestamp: what the log held before
 * Claude Code moved sub-agents to files of their own, and what following both files gives.
 */
function withSubAgent(main: string, subAgent: string): string[] {
  const stamp = (line: string) => String((JSON.parse(line) as { timestamp?: string }).timestamp ?? '');
  const sub = read(`subagents/${subAgent}`);
  const merged: string[] = [];
  for (const line of read(main)) {
    while (sub.length > 0 && stamp(line) !== '' && stamp(sub[0]) < stamp(line)) merged.push(sub.shift()!);
    merged.push(line);
  }
  return [...merged, ...sub];
}

const callsOf = (lines: string[]) => {
  const { events } = parseAll('claude-session-log', lines);
  expectWellFormed(events);
  return { events, calls: fold(events).toolCalls };
};

describe('ClaudeSessionLogParser', () => {
  it('links an isSidechain sub-agent (2.1.29, Task) to its call by the prompt it starts with', () => {
    const { events, calls } = callsOf(
      withSubAgent(
        'claude-session-log_2.1.29-todowrite-task.jsonl',
        'claude-session-log_2.1.29-todowrite-task.agent-a442391.jsonl',
      ),
    );
    expect(calls.map((call) => [call.name, call.parentToolCallId, call.status])).toEqual([
      ['Task', null, 'succeeded'],
      ['Read', 'call_00_8xp821qkoaqxwvo8241d6uxx', 'succeeded'],
    ]);
    expect(calls[1].output).toContain('alpha beta gamma');
    // The sub-agent's own words stay inside it; the outcome is the main agent's.
    expect(ofType(events, 'message').map((m) => m.text)).toEqual([
      'Planning the work.',
      'The sub-agent says the first word is "alpha".',
    ]);
    expect(ofType(events, 'session.finished')[0].status).toBe('completed');
  });

  it('links a 2.1.328 sub-agent (Agent, call_00_ ids) and keeps the main outcome through /compact', () => {
    const { events, calls } = callsOf(
      withSubAgent(
        'claude-session-log_2.1.328-subagent-call-ids.jsonl',
        'claude-session-log_2.1.328-subagent-call-ids.agent-a25861a962ec7629c.jsonl',
      ),
    );
    const read = calls.find((call) => call.name === 'Read');
    expect(read?.parentToolCallId).toBe('call_00_ve6t4vtggnxxnrwf7ah00y9x');
    expect(calls.find((call) => call.id === read?.parentToolCallId)?.name).toBe('Agent');
    expect(ofType(events, 'session.started')[0].model).toBe('deepseek-v4-pro');
    expect(ofType(events, 'session.finished')[0]).toEqual({ status: 'completed', error: null });
  });

  it('fails a log that stops mid-turn: a call or a prompt without the answer', () => {
    const lines = read('claude-session-log_2.1.29-todowrite-task.jsonl');
    const cut = (n: number) =>
      ofType(parseAll('claude-session-log', lines.slice(0, n)).events, 'session.finished')[0];
    // Up to the Task call's result (line 7): the agent has not answered yet.
    expect(cut(7)).toEqual({ status: 'failed', error: 'Session log ended mid-turn' });
    // Only the user's prompt.
    expect(cut(2)).toEqual({ status: 'failed', error: 'Session log ended mid-turn' });
    expect(cut(1)).toEqual({ status: 'failed', error: 'Session log holds no conversation' });
  });

  it("fails with the CLI's own message when the last word is an API error", () => {
    const { events } = parseAll('claude-session-log', read('claude-session-log_2.1.328-not-logged-in.jsonl'));
    expect(ofType(events, 'session.finished')[0]).toEqual({
      status: 'failed',
      error: 'Not logged in · Please run /login',
    });
  });

  it('takes TodoWrite lists and toolUseResult from the log', () => {
    const { events } = parseAll('claude-session-log', read('claude-session-log_2.1.29-todowrite-task.jsonl'));
    const lists = ofType(events, 'todos.updated').map((u) => u.todos.map((t) => t.status));
    expect(lists).toEqual([
      ['in_progress', 'pending'],
      ['completed', 'completed'],
    ]);
  });

  // Hand-written lines (no licensed real capture holds them; 2.1.29 and 2.1.328 in -p mode
  // write sub-agents to their own files): the shape of older logs' agent_progress lines.
  it('relays agent_progress lines as calls of the sub-agent named by parentToolUseID', () => {
    const main = { parentUuid: null, isSidechain: false };
    const { events } = parseAll(
      'claude-session-log',
      jsonl(
        { ...main, type: 'user', uuid: 'u1', message: { role: 'user', content: 'go' } },
        {
          ...main,
          type: 'assistant',
          uuid: 'a1',
          message: {
            id: 'm1',
            model: 'claude-opus-4-6',
            content: [{ type: 'tool_use', id: 'toolu_T', name: 'Task', input: { prompt: 'look' } }],
          },
        },
        {
          ...main,
          type: 'progress',
          parentToolUseID: 'toolu_T',
          data: {
            type: 'agent_progress',
            agentId: 'a1b2',
            message: {
              type: 'assistant',
              message: { id: 'm2', content: [{ type: 'tool_use', id: 'toolu_G', name: 'Grep', input: {} }] },
            },
          },
        },
        {
          ...main,
          type: 'progress',
          parentToolUseID: 'toolu_T',
          data: {
            type: 'agent_progress',
            agentId: 'a1b2',
            message: {
              type: 'user',
              message: { content: [{ type: 'tool_result', tool_use_id: 'toolu_G', content: 'found' }] },
            },
          },
        },
        { type: 'progress', data: { type: 'hook_progress', hookEvent: 'PostToolUse' } },
        {
          ...main,
          type: 'user',
          uuid: 'u2',
          message: { content: [{ type: 'tool_result', tool_use_id: 'toolu_T', content: 'done' }] },
          toolUseResult: { agentId: 'a1b2', status: 'completed' },
        },
        {
          ...main,
          type: 'assistant',
          uuid: 'a2',
          message: { id: 'm3', content: [{ type: 'text', text: 'Done.' }] },
        },
        { type: 'summary', summary: 'Looked around', leafUuid: 'a2' },
      ),
    );
    expectWellFormed(events);
    const calls = fold(events).toolCalls;
    expect(calls.map((call) => [call.id, call.parentToolCallId, call.status])).toEqual([
      ['toolu_T', null, 'succeeded'],
      ['toolu_G', 'toolu_T', 'succeeded'],
    ]);
    expect(ofType(events, 'session.started')[0].model).toBe('claude-opus-4-6');
    expect(ofType(events, 'session.finished')[0].status).toBe('completed');
  });

  it('ends cancelled when the user interrupted the last turn (hand-written line)', () => {
    const { events } = parseAll(
      'claude-session-log',
      jsonl(
        { type: 'user', parentUuid: null, message: { role: 'user', content: 'go' } },
        {
          type: 'user',
          parentUuid: 'u1',
          message: { content: [{ type: 'text', text: '[Request interrupted by user]' }] },
        },
      ),
    );
    expect(ofType(events, 'session.finished')[0]).toEqual({
      status: 'cancelled',
      error: 'Interrupted by the user',
    });
  });
});
