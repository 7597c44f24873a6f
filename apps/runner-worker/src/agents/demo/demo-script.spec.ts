import type { NewBuildEvent, Todo } from '#contracts';
import { expectWellFormed, fold, ofType } from '../../../../../libs/transcripts/src/test/parse-helpers.js';
import { demoScript, playDemo } from './demo-script.js';

const CONTEXT_START: NewBuildEvent = {
  type: 'session.started',
  data: { agentId: 'demo', model: 'buildcast-demo', projectName: 'p', prompt: null },
};
const FINISH: NewBuildEvent = { type: 'session.finished', data: { status: 'completed' } };

describe('demoScript', () => {
  const steps = demoScript();
  const events = steps.flatMap((step) => step.events);

  it('leaves session start and finish to the runner', () => {
    expect(events.some((e) => e.type === 'session.started' || e.type === 'session.finished')).toBe(false);
    expectWellFormed([CONTEXT_START, ...events, FINISH]);
  });

  it('has a realistic size: 5–8 todos, 20–40 tool calls, exactly one failure, 4–6 messages', () => {
    const state = fold([CONTEXT_START, ...events, FINISH]);
    expect(state.todos.length).toBeGreaterThanOrEqual(5);
    expect(state.todos.length).toBeLessThanOrEqual(8);
    expect(state.toolCalls.length).toBeGreaterThanOrEqual(20);
    expect(state.toolCalls.length).toBeLessThanOrEqual(40);
    expect(state.toolCalls.filter((call) => call.isError)).toHaveLength(1);
    expect(state.toolCalls.every((call) => call.status !== 'running')).toBe(true);
    const messages = ofType(events, 'message');
    expect(messages.length).toBeGreaterThanOrEqual(4);
    expect(messages.length).toBeLessThanOrEqual(6);
  });

  it('fixes the failing test run with a passing rerun of the same command', () => {
    const started = ofType(events, 'tool.started');
    const failed = ofType(events, 'tool.finished').find((f) => f.isError)!;
    const failedCall = started.find((s) => s.toolCallId === failed.toolCallId)!;
    expect(failedCall.name).toBe('Bash');
    const later = started.slice(started.indexOf(failedCall) + 1);
    expect(later.some((s) => s.name === 'Edit')).toBe(true);
    const command = (input: unknown) => (input as { command?: string }).command;
    expect(later.some((s) => s.name === 'Bash' && command(s.input) === command(failedCall.input))).toBe(true);
  });

  it('lasts about 25 s in all', () => {
    const total = steps.reduce((sum, step) => sum + step.delayMs, 0);
    expect(total).toBeGreaterThanOrEqual(20_000);
    expect(total).toBeLessThanOrEqual(30_000);
    expect(steps.every((step) => step.delayMs >= 0 && step.events.length > 0)).toBe(true);
  });

  it('uses unique tool call ids and nests every call under the todo in progress', () => {
    let todos: Todo[] = [];
    const ids = new Set<string>();
    for (const event of events) {
      if (event.type === 'todos.updated') {
        todos = event.data.todos;
        expect(todos.filter((t) => t.status === 'in_progress').length).toBeLessThanOrEqual(1);
      }
      if (event.type === 'tool.started') {
        expect(event.data.toolCallId).toMatch(/^demo-tool-\d{2}$/);
        expect(ids.has(event.data.toolCallId)).toBe(false);
        ids.add(event.data.toolCallId);
        const active = todos.findIndex((t) => t.status === 'in_progress');
        expect(event.data.todoIndex).toBe(active === -1 ? null : active);
        expect(event.data.todoIndex).not.toBeNull();
      }
    }
  });

  it('shows a meaningful activeForm and completes every todo by the end', () => {
    const updates = ofType(events, 'todos.updated');
    for (const update of updates) {
      for (const todo of update.todos) expect(todo.activeForm).not.toBe(todo.content);
    }
    expect(updates.at(-1)!.todos.every((t) => t.status === 'completed')).toBe(true);
    // Every todo was in progress at some point, one after another.
    const order = updates
      .map((u) => u.todos.findIndex((t) => t.status === 'in_progress'))
      .filter((i) => i !== -1);
    expect(order).toEqual(updates[0].todos.map((_, i) => i));
  });
});

describe('playDemo', () => {
  it('yields every step in order (fast)', async () => {
    const controller = new AbortController();
    const batches: NewBuildEvent[][] = [];
    for await (const batch of playDemo(controller.signal, 1000)) batches.push(batch);
    expect(batches).toEqual(demoScript().map((step) => step.events));
  });

  it('stops promptly on abort', async () => {
    const controller = new AbortController();
    const started = Date.now();
    const batches: NewBuildEvent[][] = [];
    setTimeout(() => controller.abort(), 50);
    for await (const batch of playDemo(controller.signal)) batches.push(batch);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(batches.length).toBeLessThan(demoScript().length);
  });

  it('ends at once when already aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const iterator = playDemo(controller.signal);
    expect((await iterator.next()).done).toBe(true);
  });
});
