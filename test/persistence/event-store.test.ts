import 'reflect-metadata';
import type { DataSource } from 'typeorm';
import type { AppendResult, NewBuildEvent, SessionSummary, Snapshot, Todo } from '#contracts';
import { openTestPersistence, queuedDemoSession, type TestPersistence } from '../support/database.js';
import { BuildReadModel, EventStore, SessionClosedError, SessionNotFoundError } from '#persistence';
import { fold } from './fold.js';

const APPENDERS = 20;
const BATCHES = 5;

const started = (toolCallId: string, todoIndex: number | null = null): NewBuildEvent => ({
  type: 'tool.started',
  data: {
    toolCallId,
    name: 'Bash',
    input: { command: `run ${toolCallId}`, nested: [1, { deep: true }] },
    todoIndex,
  },
});
const finished = (toolCallId: string, isError = false, outputTruncated?: boolean): NewBuildEvent => ({
  type: 'tool.finished',
  data: {
    toolCallId,
    output: `done ${toolCallId}`,
    isError,
    ...(outputTruncated === undefined ? {} : { outputTruncated }),
  },
});
const message = (text: string): NewBuildEvent => ({ type: 'message', data: { role: 'assistant', text } });
const todos = (statuses: Todo['status'][]): NewBuildEvent => ({
  type: 'todos.updated',
  data: {
    todos: statuses.map((status, i) => ({ content: `Step ${i}`, activeForm: `Doing step ${i}`, status })),
  },
});

/** Appender `a`, batch `b`: its own calls, a finish of the previous batch's call, repeats. */
function batchOf(a: number, b: number): { events: NewBuildEvent[]; duplicates: number } {
  const id = (n: number) => `a${a}-b${b}-${n}`;
  const events: NewBuildEvent[] = [
    started(id(0), b % 3),
    started(id(1), null),
    finished(id(0), a % 4 === 0),
    started(id(0)), // repeated in the same batch
    todos(
      Array.from({ length: 4 }, (_, i) =>
        i < b % 5 ? 'completed' : i === b % 5 ? 'in_progress' : 'pending',
      ),
    ),
    message(`appender ${a} batch ${b}`),
  ];
  let duplicates = 1;
  if (b > 0) {
    events.push(finished(`a${a}-b${b - 1}-1`, a % 3 === 0, true), started(`a${a}-b${b - 1}-0`)); // repeated from a later batch
    duplicates += 1;
  }
  if (b === 0) {
    events.push(started('shared')); // every appender tries it: exactly one wins
  }
  return { events, duplicates };
}

describe('EventStore', () => {
  let persistence: TestPersistence;
  let dataSource: DataSource;
  let store: EventStore;
  let readModel: BuildReadModel;
  let projectId: string;

  beforeAll(async () => {
    persistence = await openTestPersistence(12);
    ({ dataSource, store, readModel } = persistence);
    projectId = (await readModel.createProject('event store tests')).id;
  });

  afterAll(() => persistence?.close());

  const newSession = () => queuedDemoSession(readModel, projectId, 'build it');

  async function expectProjectionsMatchLog(created: SessionSummary): Promise<Snapshot> {
    const log = await readModel.eventsAfter(projectId, created.id, 0, 10000);
    const snapshot = await readModel.getSnapshot(projectId, created.id);
    expect(snapshot).toEqual(fold(created, log!.events));
    return snapshot!;
  }

  it('assigns 1..N without gap or duplicate to 20 concurrent appenders', async () => {
    const created = await newSession();
    await store.append(created.id, [
      { type: 'session.started', data: { agentId: 'claude-code', model: 'm1', projectName: 'p' } },
    ]);
    let expected = 1 + 1; // session.started, and the one `shared` call that wins
    const results: AppendResult[] = [];
    await Promise.all(
      Array.from({ length: APPENDERS }, async (_, a) => {
        for (let b = 0; b < BATCHES; b++) {
          const { events, duplicates } = batchOf(a, b);
          expected += events.length - duplicates - (b === 0 ? 1 : 0);
          results.push(await store.append(created.id, events));
        }
      }),
    );

    const seqs = await dataSource.query<{ seq: number }[]>(
      'SELECT seq FROM build_events WHERE session_id = $1 ORDER BY seq',
      [created.id],
    );
    expect(seqs.map((row) => row.seq)).toEqual(Array.from({ length: expected }, (_, i) => i + 1));

    const ranges = results.map((result) => {
      expect(result.events.map((event) => event.seq)).toEqual(
        Array.from({ length: result.toSeq - result.fromSeq + 1 }, (_, i) => result.fromSeq + i),
      );
      return [result.fromSeq, result.toSeq];
    });
    ranges.sort((x, y) => x[0] - y[0]);
    let next = 2;
    for (const [from, to] of ranges) {
      expect(from).toBe(next);
      next = to + 1;
    }
    expect(next).toBe(expected + 1);

    const log = await readModel.eventsAfter(projectId, created.id, 0, 10000);
    expect(log!.latestSeq).toBe(expected);
    const ats = log!.events.map((event) => event.at);
    expect([...ats].sort()).toEqual(ats); // commit time never goes back as seq goes up
    const snapshot = await expectProjectionsMatchLog(created);
    expect(snapshot.seq).toBe(expected);
    expect(snapshot.toolCalls).toHaveLength(APPENDERS * BATCHES * 2 + 1);
    expect(snapshot.session).toMatchObject({ status: 'running', agentId: 'claude-code', model: 'm1' });

    const final = await store.append(created.id, [
      { type: 'session.finished', data: { status: 'completed', usage: { tokens: 12 } } },
    ]);
    expect(final.summary).toMatchObject({
      status: 'completed',
      seq: expected + 1,
      progress: { percent: 100 },
    });
    expect(final.summaryChanged).toBe(true);
    await expect(expectProjectionsMatchLog(created)).resolves.toMatchObject({
      session: { usage: { tokens: 12 } },
    });
  });

  it('ignores a repeated tool.started and gives it no seq', async () => {
    const created = await newSession();
    const first = await store.append(created.id, [started('x'), started('x'), started('y')]);
    expect(first.events.map((event) => [event.seq, event.type])).toEqual([
      [1, 'tool.started'],
      [2, 'tool.started'],
    ]);
    const again = await store.append(created.id, [started('x')]);
    expect(again).toMatchObject({
      events: [],
      fromSeq: 2,
      toSeq: 2,
      summaryChanged: false,
      summary: { seq: 2 },
    });
    const next = await store.append(created.id, [started('y'), message('hello')]);
    expect(next).toMatchObject({ fromSeq: 3, toSeq: 3 });
    expect(next.events.map((event) => event.type)).toEqual(['message']);
    const snapshot = await expectProjectionsMatchLog(created);
    expect(snapshot.toolCalls.map((call) => call.id)).toEqual(['x', 'y']);
  });

  it('stores a tool.finished for an unknown call without touching the projections', async () => {
    const created = await newSession();
    await store.append(created.id, [started('known')]);
    const result = await store.append(created.id, [finished('unknown'), finished('later')]);
    expect(result.events.map((event) => event.seq)).toEqual([2, 3]);
    // A finish that came before its start in the same batch stays unknown to the call.
    await store.append(created.id, [started('later'), finished('known', true)]);
    const snapshot = await expectProjectionsMatchLog(created);
    expect(snapshot.toolCalls).toMatchObject([
      { id: 'known', status: 'failed', isError: true, output: 'done known' },
      { id: 'later', status: 'running', output: null, endedAt: null },
    ]);
  });

  it('stores full outputs for stored calls it finishes, calls it adds, and other stored calls', async () => {
    const created = await newSession();
    await store.append(created.id, [started('stored'), started('idle')]);
    await store.append(created.id, [finished('idle')], { fullOutputs: new Map([['idle', 'first full']]) });
    const full = new Map([
      ['stored', 'full stored'],
      ['fresh', 'full fresh\u0000'],
      ['idle', 'full idle'],
      ['nowhere', 'full nowhere'],
    ]);
    await store.append(created.id, [finished('stored'), started('fresh'), finished('fresh')], {
      fullOutputs: full,
    });
    const detail = (id: string) => readModel.getToolCall(projectId, created.id, id);
    await expect(detail('stored')).resolves.toMatchObject({ output: 'full stored', status: 'succeeded' });
    await expect(detail('fresh')).resolves.toMatchObject({ output: 'full fresh\uFFFD', status: 'succeeded' });
    await expect(detail('idle')).resolves.toMatchObject({ output: 'full idle', status: 'succeeded' });
    await expect(detail('nowhere')).resolves.toBeNull();
    // Finishing again without a full output keeps the stored one.
    await store.append(created.id, [finished('stored', true)]);
    await expect(detail('stored')).resolves.toMatchObject({ output: 'full stored', status: 'failed' });
    const snapshot = await expectProjectionsMatchLog(created);
    expect(snapshot.toolCalls.find((call) => call.id === 'fresh')?.output).toBe('done fresh');
  });

  it('replaces the todo list, shorter or longer', async () => {
    const created = await newSession();
    await store.append(created.id, [todos(['completed', 'in_progress', 'pending', 'pending'])]);
    await expectProjectionsMatchLog(created);
    await store.append(created.id, [todos(['completed', 'completed']), message('fewer')]);
    await expect(expectProjectionsMatchLog(created)).resolves.toMatchObject({
      todos: [{ status: 'completed' }, { status: 'completed' }],
    });
    await store.append(created.id, [todos([]), todos(['pending', 'pending', 'in_progress'])]);
    await expectProjectionsMatchLog(created);
    const emptied = await store.append(created.id, [todos([])]);
    expect(emptied.summary.progress).toMatchObject({ completed: 0, total: 0 });
    await expect(expectProjectionsMatchLog(created)).resolves.toMatchObject({ todos: [] });
  });

  it('refuses appends after session.finished and drops events after it in the batch', async () => {
    const created = await newSession();
    const result = await store.append(created.id, [
      message('last words'),
      { type: 'session.finished', data: { status: 'failed', error: 'boom' } },
      message('too late'),
    ]);
    expect(result.events.map((event) => event.type)).toEqual(['message', 'session.finished']);
    expect(result.summary).toMatchObject({ status: 'failed', error: 'boom', seq: 2 });
    await expect(store.append(created.id, [message('after the end')])).rejects.toBeInstanceOf(
      SessionClosedError,
    );
    await expect(store.append(created.id, [])).rejects.toBeInstanceOf(SessionClosedError);
    const log = await readModel.eventsAfter(projectId, created.id, 0, 100);
    expect(log).toMatchObject({ latestSeq: 2, status: 'failed' });
    expect(log!.events).toHaveLength(2);
    await expectProjectionsMatchLog(created);
  });

  it('aborts the open calls when the session finishes, stored or new, and no call that has a result', async () => {
    const created = await newSession();
    await store.append(created.id, [
      started('done'),
      started('open'),
      finished('done'),
      message('Half **way**'),
    ]);
    await store.append(created.id, [started('later')]);
    // The finishing batch names a finished call again (a repeated start) and starts one more.
    const result = await store.append(created.id, [
      started('done'),
      started('last'),
      { type: 'session.finished', data: { status: 'cancelled' } },
    ]);
    const snapshot = await expectProjectionsMatchLog(created);
    const endedAt = result.summary.endedAt;
    expect(snapshot.toolCalls.map(({ id, status, endedAt: end }) => [id, status, end])).toEqual([
      ['done', 'succeeded', expect.not.stringMatching(endedAt!)],
      ['open', 'aborted', endedAt],
      ['later', 'aborted', endedAt],
      ['last', 'aborted', endedAt],
    ]);
    expect(snapshot.toolCalls[0].output).toBe('done done');
    expect(snapshot.messages).toEqual([
      expect.objectContaining({ seq: 4, role: 'assistant', text: 'Half **way**' }),
    ]);
  });

  it('refuses an unknown session', async () => {
    await expect(
      store.append('00000000-0000-4000-8000-000000000000', [message('hi')]),
    ).rejects.toBeInstanceOf(SessionNotFoundError);
    await expect(store.append('not-a-uuid', [message('hi')])).rejects.toBeInstanceOf(SessionNotFoundError);
  });

  it('says when the summary changed', async () => {
    const created = await newSession();
    const start = await store.append(created.id, [
      { type: 'session.started', data: { agentId: 'demo', model: null, projectName: 'p' } },
    ]);
    expect(start.summaryChanged).toBe(true);
    await expect(store.append(created.id, [message('plain')])).resolves.toMatchObject({
      summaryChanged: false,
    });
    const planned = await store.append(created.id, [todos(['in_progress', 'pending'])]);
    expect(planned).toMatchObject({
      summaryChanged: true,
      summary: { progress: { completed: 0, total: 2, percent: 0 } },
    });
    await expect(store.append(created.id, [todos(['completed', 'in_progress'])])).resolves.toMatchObject({
      summaryChanged: true,
      summary: { progress: { completed: 1, total: 2, percent: 50 } },
    });
    await expect(
      store.append(created.id, [started('t'), finished('t'), todos(['completed', 'in_progress'])]),
    ).resolves.toMatchObject({
      summaryChanged: false,
    });
    await expectProjectionsMatchLog(created);
  });

  it('returns the events as stored, with one commit time per batch', async () => {
    const created = await newSession();
    const result = await store.append(created.id, [started('nul'), finished('nul'), message('a\u0000b')]);
    const log = await readModel.eventsAfter(projectId, created.id, 0, 100);
    expect(log!.events).toEqual(result.events);
    expect(new Set(result.events.map((event) => event.at)).size).toBe(1);
    expect(result.events[0].at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(result.events[2].data).toEqual({ role: 'assistant', text: 'a\uFFFDb' });
    await expect(readModel.getSessionSummary(projectId, created.id)).resolves.toEqual(result.summary);
  });
});
