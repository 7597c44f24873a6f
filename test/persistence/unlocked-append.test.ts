import 'reflect-metadata';
import pg from 'pg';
import type { DataSource } from 'typeorm';
import type { AppendResult, BuildEvent, NewBuildEvent, SessionSummary } from '#contracts';
import { BuildReadModel, EventStore } from '#persistence';
import { openTestPersistence, queuedDemoSession, type TestPersistence } from '../support/database.js';
import { fold } from './fold.js';

// An append from what this process last wrote to the session (LastWrite): the write statement
// alone, its guard checking that the session is still as written. Whatever the path, the log
// and the projections are those of the fold, and the answer is what was stored.

const started = (toolCallId: string): NewBuildEvent => ({
  type: 'tool.started',
  data: { toolCallId, name: 'Bash', input: { command: `run ${toolCallId}` }, todoIndex: 0 },
});
const finished = (toolCallId: string): NewBuildEvent => ({
  type: 'tool.finished',
  data: { toolCallId, output: `done ${toolCallId}`, isError: false },
});
const message = (text: string): NewBuildEvent => ({ type: 'message', data: { role: 'assistant', text } });
const todos = (...statuses: ('pending' | 'in_progress' | 'completed')[]): NewBuildEvent => ({
  type: 'todos.updated',
  data: { todos: statuses.map((status, i) => ({ content: `Step ${i}`, activeForm: `Doing ${i}`, status })) },
});
const sessionStarted: NewBuildEvent = {
  type: 'session.started',
  data: { agentId: 'claude-code', model: 'm1', projectName: 'unlocked' },
};

describe('an append without the lock', () => {
  let persistence: TestPersistence;
  let dataSource: DataSource;
  let readModel: BuildReadModel;
  let projectId: string;
  /** Statements sent to Postgres (BEGIN and COMMIT included), by every client of this process. */
  let statements = 0;
  const query = pg.Client.prototype.query;

  beforeAll(async () => {
    persistence = await openTestPersistence(4);
    ({ dataSource, readModel } = persistence);
    projectId = (await readModel.createProject('unlocked appends')).id;
    pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
      statements += 1;
      return (query as (...a: unknown[]) => unknown).apply(this, args);
    } as typeof query;
  });

  afterAll(async () => {
    pg.Client.prototype.query = query;
    await persistence?.close();
  });

  /** `store.append`, and how many statements it sent. */
  async function counted(
    store: EventStore,
    sessionId: string,
    events: NewBuildEvent[],
  ): Promise<{ result: AppendResult; statements: number }> {
    const before = statements;
    const result = await store.append(sessionId, events);
    return { result, statements: statements - before };
  }

  async function storedLog(session: SessionSummary): Promise<BuildEvent[]> {
    const log = await readModel.eventsAfter(projectId, session.id, 0, 10_000);
    return log!.events;
  }

  async function expectProjectionsMatchLog(created: SessionSummary): Promise<void> {
    const snapshot = await readModel.getSnapshot(projectId, created.id);
    expect(snapshot).toEqual(fold(created, await storedLog(created)));
  }

  it('appends each later batch in one statement, and answers with what it stored', async () => {
    const created = await queuedDemoSession(readModel, projectId);
    const store = new EventStore(dataSource);
    // The first append takes the lock (nothing written by this process yet); the session starts
    // in the second, so its start time is the one the statement read.
    const first = await counted(store, created.id, [message('before the start')]);
    expect(first.statements).toBeGreaterThan(1);
    const answers = [first.result];
    for (const batch of [
      [sessionStarted, todos('in_progress', 'pending')],
      [started('a'), started('b'), message('working')],
      [finished('a'), todos('completed', 'in_progress')],
      [started('b'), finished('b'), started('c')], // b is running: its repeated start is not logged
      [finished('c'), message('done')],
    ]) {
      const { result, statements: sent } = await counted(store, created.id, batch);
      expect(sent).toBe(1);
      answers.push(result);
    }

    const log = await storedLog(created);
    expect(log.map((event) => event.seq)).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    expect(log.filter((event) => event.type === 'tool.started')).toHaveLength(3);
    // The answers carry the stored events, times included, and the session as stored.
    expect(answers.flatMap((answer) => answer.events)).toEqual(log);
    const times = log.map((event) => event.at);
    expect([...times].sort()).toEqual(times);
    const summary = await readModel.getSessionSummary(projectId, created.id);
    expect(answers.at(-1)!.summary).toEqual(summary);
    expect(summary).toMatchObject({ status: 'running', startedAt: log[1].at, model: 'm1', seq: 12 });
    expect(answers[1].summaryChanged).toBe(true);
    await expectProjectionsMatchLog(created);
  });

  it('takes the lock, and appends once, when another process appended in between', async () => {
    const created = await queuedDemoSession(readModel, projectId);
    const store = new EventStore(dataSource);
    const other = new EventStore(dataSource); // another runner-worker, or the API
    await store.append(created.id, [sessionStarted]);
    expect((await counted(store, created.id, [started('a')])).statements).toBe(1);
    await other.append(created.id, [message('from elsewhere'), started('b')]);

    // The statement's guard fails (nothing written), then BEGIN, lock, write, COMMIT.
    const behind = await counted(store, created.id, [finished('a'), finished('b'), message('after')]);
    expect(behind.statements).toBe(5);
    expect(behind.result).toMatchObject({ fromSeq: 5, toSeq: 7 });
    // Its own write again: one statement.
    expect((await counted(store, created.id, [message('last')])).statements).toBe(1);

    const log = await storedLog(created);
    expect(log.map((event) => [event.seq, event.type])).toEqual([
      [1, 'session.started'],
      [2, 'tool.started'],
      [3, 'message'],
      [4, 'tool.started'],
      [5, 'tool.finished'],
      [6, 'tool.finished'],
      [7, 'message'],
      [8, 'message'],
    ]);
    const times = log.map((event) => event.at);
    expect([...times].sort()).toEqual(times);
    await expectProjectionsMatchLog(created);
  });

  it('takes the lock when a batch names a stored call it did not see running', async () => {
    const created = await queuedDemoSession(readModel, projectId);
    const store = new EventStore(dataSource);
    await store.append(created.id, [sessionStarted, started('x'), finished('x')]);
    // `x` ran and finished: a new start of it is a repeat, which only the stored calls can tell.
    const repeated = await counted(store, created.id, [started('x'), message('again')]);
    expect(repeated.statements).toBe(5);
    expect(repeated.result.events.map((event) => event.type)).toEqual(['message']);
    const snapshot = await readModel.getSnapshot(projectId, created.id);
    expect(snapshot!.toolCalls).toEqual([expect.objectContaining({ id: 'x', status: 'succeeded' })]);
    await expectProjectionsMatchLog(created);
  });

  it('finishes a session under the lock, aborting the calls still running', async () => {
    const created = await queuedDemoSession(readModel, projectId);
    const store = new EventStore(dataSource);
    await store.append(created.id, [sessionStarted]);
    await store.append(created.id, [started('open')]);
    const finishing = await counted(store, created.id, [
      { type: 'session.finished', data: { status: 'completed' } },
    ]);
    expect(finishing.statements).toBeGreaterThan(1);
    const snapshot = await readModel.getSnapshot(projectId, created.id);
    expect(snapshot!.toolCalls).toEqual([expect.objectContaining({ id: 'open', status: 'aborted' })]);
    await expectProjectionsMatchLog(created);
  });
});
