import 'reflect-metadata';
import type { NewBuildEvent, SessionSummary, Snapshot } from '#contracts';
import { openTestPersistence, type TestPersistence } from '../support/database.js';
import { BuildReadModel, EventStore } from '#persistence';
import { fold } from './fold.js';

const OTHER_ID = '00000000-0000-4000-8000-000000000000';

function* workload(prefix: string): Generator<NewBuildEvent> {
  yield { type: 'session.started', data: { agentId: 'codex', model: 'gpt', projectName: 'p', prompt: 'go' } };
  for (let n = 0; ; n++) {
    if (n % 7 === 0) {
      const done = (n / 7) % 6;
      yield {
        type: 'todos.updated',
        data: {
          todos: Array.from({ length: 6 }, (_, i) => ({
            content: `Todo ${i}`,
            activeForm: `Doing ${i}`,
            status: i < done ? 'completed' : i === done ? 'in_progress' : 'pending',
          })),
        },
      };
    }
    yield {
      type: 'tool.started',
      data: { toolCallId: `${prefix}${n}`, name: 'Edit', input: { file: `f${n}.ts` }, todoIndex: n % 6 },
    };
    yield {
      type: 'tool.finished',
      data: { toolCallId: `${prefix}${n}`, output: `ok ${n}`, isError: n % 5 === 0 },
    };
  }
}

function take(source: Iterator<NewBuildEvent>, count: number): NewBuildEvent[] {
  return Array.from({ length: count }, () => source.next().value as NewBuildEvent);
}

describe('BuildReadModel', () => {
  let persistence: TestPersistence;
  let store: EventStore;
  let readModel: BuildReadModel;
  let projectId: string;

  beforeAll(async () => {
    persistence = await openTestPersistence(10);
    ({ store, readModel } = persistence);
    projectId = (await readModel.createProject('read model tests')).id;
  });

  afterAll(() => persistence?.close());

  async function newSession(): Promise<SessionSummary> {
    const session = await readModel.createQueuedSession({
      projectId,
      agent: 'replay',
      agentId: 'codex',
      model: null,
      prompt: null,
    });
    if (!session) throw new Error('project not found');
    return session;
  }

  it('creates, lists and finds projects', async () => {
    const project = await readModel.createProject('second');
    expect(project).toEqual({
      id: expect.any(String),
      name: 'second',
      createdAt: expect.stringMatching(/Z$/),
    });
    await expect(readModel.getProject(project.id)).resolves.toEqual(project);
    await expect(readModel.getProject(OTHER_ID)).resolves.toBeNull();
    await expect(readModel.getProject('nope')).resolves.toBeNull();
    const listed = await readModel.listProjects({ limit: 50 });
    expect(listed[0]).toEqual({ ...project, latestBuild: null });
    expect(listed.map((p) => p.id)).toContain(projectId);
  });

  it('creates queued sessions, lists them newest first and deletes them', async () => {
    await expect(
      readModel.createQueuedSession({
        projectId: OTHER_ID,
        agent: 'demo',
        agentId: 'demo',
        model: null,
        prompt: null,
      }),
    ).resolves.toBeNull();
    const first = await newSession();
    expect(first).toEqual({
      id: expect.any(String),
      projectId,
      status: 'queued',
      agent: 'replay',
      agentId: 'codex',
      model: null,
      projectName: 'read model tests',
      prompt: null,
      createdAt: expect.stringMatching(/Z$/),
      startedAt: null,
      endedAt: null,
      error: null,
      usage: null,
      progress: { completed: 0, total: 0, percent: 0 },
      seq: 0,
    });
    const second = await newSession();
    const listed = await readModel.listSessions(projectId, 2);
    expect(listed.map((s) => s.id)).toEqual([second.id, first.id]);
    await expect(readModel.getSessionSummary(projectId, first.id)).resolves.toEqual(first);
    await expect(readModel.getSessionSummary(OTHER_ID, first.id)).resolves.toBeNull();
    await expect(readModel.getSnapshot(projectId, first.id)).resolves.toEqual({
      seq: 0,
      session: { ...(({ seq: _seq, ...view }) => view)(first), audit: [] },
      todos: [],
      toolCalls: [],
      messages: [],
    });
    await readModel.deleteSession(second.id);
    await expect(readModel.getSessionSummary(projectId, second.id)).resolves.toBeNull();
  });

  it('pages the log with after and limit; another project sees nothing', async () => {
    const session = await newSession();
    await store.append(session.id, take(workload('p'), 25));
    const page = await readModel.eventsAfter(projectId, session.id, 10, 5);
    expect(page).toMatchObject({ latestSeq: 25, status: 'running' });
    expect(page!.events.map((event) => event.seq)).toEqual([11, 12, 13, 14, 15]);
    await expect(readModel.eventsAfter(projectId, session.id, 25, 5)).resolves.toEqual({
      events: [],
      latestSeq: 25,
      status: 'running',
    });
    await expect(readModel.eventsAfter(projectId, session.id, 23, 500)).resolves.toMatchObject({
      events: [{ seq: 24 }, { seq: 25 }],
    });
    await expect(readModel.eventsAfter(OTHER_ID, session.id, 0, 5)).resolves.toBeNull();
    await expect(readModel.eventsAfter(projectId, OTHER_ID, 0, 5)).resolves.toBeNull();
    await expect(readModel.getSnapshot(OTHER_ID, session.id)).resolves.toBeNull();
  });

  it('reads snapshots whose seq is exactly the last event they reflect, under concurrent appends', async () => {
    const session = await newSession();
    const snapshots: Snapshot[] = [];
    let appending = true;
    const writer = (async () => {
      const source = workload('c');
      for (let i = 0; i < 60; i++) await store.append(session.id, take(source, 1 + (i % 7)));
      appending = false;
    })();
    const readers = Array.from({ length: 4 }, async () => {
      while (appending) snapshots.push((await readModel.getSnapshot(projectId, session.id))!);
    });
    await Promise.all([writer, ...readers]);
    expect(new Set(snapshots.map((snapshot) => snapshot.seq)).size).toBeGreaterThan(5);
    const log = (await readModel.eventsAfter(projectId, session.id, 0, 10000))!.events;
    for (const snapshot of snapshots) expect(snapshot).toEqual(fold(session, log.slice(0, snapshot.seq)));
  });

  // Speed is measured in bench/hydration, not here: this checks the large snapshot is whole
  // and that its JSON text (what the API sends) equals the object form.
  it('reads a whole snapshot of 5,000 tool calls and 50 todos, as objects and as JSON text', async () => {
    const session = await newSession();
    const todoList = Array.from({ length: 50 }, (_, i) => ({
      content: `Todo ${i}`,
      activeForm: `Doing ${i}`,
      status: i < 20 ? ('completed' as const) : ('pending' as const),
    }));
    for (let batch = 0; batch < 50; batch++) {
      const events: NewBuildEvent[] = [];
      for (let i = 0; i < 100; i++) {
        const id = `call-${batch}-${i}`;
        events.push(
          {
            type: 'tool.started',
            data: {
              toolCallId: id,
              name: 'Bash',
              input: { command: `npm test -- ${id}` },
              todoIndex: i % 50,
            },
          },
          {
            type: 'tool.finished',
            data: { toolCallId: id, output: `PASS ${id}\n`.repeat(4), isError: false },
          },
        );
      }
      if (batch === 0) events.push({ type: 'todos.updated', data: { todos: todoList } });
      await store.append(session.id, events);
    }
    const snapshot = (await readModel.getSnapshot(projectId, session.id))!;
    expect(snapshot.toolCalls).toHaveLength(5000);
    expect(snapshot.todos).toHaveLength(50);
    expect(snapshot.session.progress).toEqual({ completed: 20, total: 50, percent: 40 });
    expect((await readModel.getVersionedSnapshot(projectId, session.id))!.snapshot).toEqual(snapshot);
  });

  it('keeps who started and cancelled a session with it, in the snapshot and its version', async () => {
    const starter = { keyId: null, keyName: 'BUILDCAST_ADMIN_KEY', keyPrefix: null };
    const canceller = { keyId: null, keyName: 'ci', keyPrefix: 'bc_ab12cd34' };
    const session = (await readModel.createQueuedSession({
      projectId,
      agent: 'demo',
      agentId: 'demo',
      model: null,
      prompt: null,
      startedBy: starter,
    }))!;
    // A cancel that turned out not to happen is taken back.
    const withdrawn = await readModel.recordAudit(session.id, { action: 'cancelled', actor: starter });
    await readModel.removeAudit(withdrawn!);
    const finished = await store.append(
      session.id,
      [{ type: 'session.finished', data: { status: 'cancelled', error: 'by request' } }],
      { audit: { action: 'cancelled', actor: canceller } },
    );
    // Nothing is recorded against a finished session.
    await expect(
      readModel.recordAudit(session.id, { action: 'cancelled', actor: canceller }),
    ).resolves.toBeNull();
    await expect(
      readModel.recordAudit(OTHER_ID, { action: 'cancelled', actor: canceller }),
    ).resolves.toBeNull();

    const snapshot = (await readModel.getSnapshot(projectId, session.id))!;
    expect(snapshot.session.audit).toEqual([
      { action: 'started', keyName: 'BUILDCAST_ADMIN_KEY', keyPrefix: null, at: session.createdAt },
      { action: 'cancelled', keyName: 'ci', keyPrefix: 'bc_ab12cd34', at: finished.events[0].at },
    ]);
    // The audit is no projection of events: the summary of the append has none.
    expect(finished.summary).not.toHaveProperty('audit');
    const versioned = (await readModel.getVersionedSnapshot(projectId, session.id))!;
    expect(versioned.snapshot).toEqual(snapshot);
    expect(JSON.parse(versioned.version.audit)).toEqual(snapshot.session.audit);
  });
  it('gives outputs as previews when asked, saying which were shortened, and the full text per call', async () => {
    const session = await newSession();
    const output = (id: string, chars: number) => ({
      type: 'tool.finished' as const,
      data: { toolCallId: id, output: 'é'.repeat(chars), isError: false },
    });
    const started = (id: string): NewBuildEvent => ({
      type: 'tool.started',
      data: { toolCallId: id, name: 'Read', input: {}, todoIndex: null },
    });
    await store.append(session.id, [
      ...['short', 'exact', 'long', 'open'].map(started),
      output('short', 3),
      output('exact', 8),
      output('long', 9),
    ]);
    const calls = (snapshot: Snapshot | null) =>
      snapshot!.toolCalls.map((call) => [call.id, call.output, call.outputTruncated]);

    const previews = await readModel.getSnapshot(projectId, session.id, { outputPreviewChars: 8 });
    expect(calls(previews)).toEqual([
      ['short', 'ééé', false],
      ['exact', 'é'.repeat(8), false],
      ['long', 'é'.repeat(8), true], // characters, not bytes: never a split character
      ['open', null, false],
    ]);
    const versioned = await readModel.getVersionedSnapshot(projectId, session.id, { outputPreviewChars: 8 });
    expect(versioned!.snapshot).toEqual(previews);
    expect(calls(await readModel.getSnapshot(projectId, session.id))).toContainEqual([
      'long',
      'é'.repeat(9),
      false,
    ]);
    await expect(readModel.getToolCall(projectId, session.id, 'long')).resolves.toEqual(
      expect.objectContaining({ output: 'é'.repeat(9), outputTruncated: false, outputBytes: 18 }),
    );
  });

  it('reads the version of a snapshot (seq, status, audit) as getVersionedSnapshot reads it', async () => {
    const session = await newSession();
    await store.append(session.id, take(workload('v'), 5));
    const { version } = (await readModel.getVersionedSnapshot(projectId, session.id))!;
    await expect(readModel.getSnapshotVersion(projectId, session.id)).resolves.toEqual(version);
    expect({ seq: version.seq, status: version.status }).toEqual({ seq: 5, status: 'running' });
    await expect(readModel.getSnapshotVersion(OTHER_ID, session.id)).resolves.toBeNull();
    await expect(readModel.getSnapshotVersion(projectId, 'not-a-uuid')).resolves.toBeNull();
  });
});
