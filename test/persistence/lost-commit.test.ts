import 'reflect-metadata';
import type { DataSource } from 'typeorm';
import type { AppendResult, NewBuildEvent, SessionSummary } from '#contracts';
import { BuildLog, type EventPublisher } from '#bus';
import { BuildReadModel, createDataSource, EventStore, prepareDatabase } from '#persistence';
import { SessionRecorder } from '../../apps/runner-worker/src/builds/session-recorder.js';
import { createTestDatabase, queuedDemoSession, type TestDatabase } from '../support/database.js';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.js';

const STARTED = { agentId: 'demo', model: null, projectName: 'lost commits', prompt: null };
const message = (text: string): NewBuildEvent => ({ type: 'message', data: { role: 'assistant', text } });

/**
 * A COMMIT that Postgres carried out but whose answer never reached the runner-worker: the
 * SessionRecorder retries the append (the connection dropped), and the retry must find the
 * batch committed rather than append its events a second time.
 */
describe('a lost COMMIT answer', () => {
  let database: TestDatabase;
  let direct: DataSource;
  let proxied: DataSource;
  let proxy: TcpProxy;
  let readModel: BuildReadModel;
  let projectId: string;
  /** What the BuildLog announced, in order. */
  let published: AppendResult[];
  /** Called after each announcement. */
  let onPublished: () => void;

  beforeAll(async () => {
    database = await createTestDatabase();
    direct = await prepareDatabase(database.url, { poolSize: 2 });
    readModel = new BuildReadModel(direct);
    projectId = (await readModel.createProject('lost commits')).id;
    const url = new URL(database.url);
    proxy = await startTcpProxy(Number(url.port || 5432));
    url.port = String(proxy.port);
    proxied = await createDataSource(url.toString(), { poolSize: 1 }).initialize();
  });

  afterAll(async () => {
    await proxied?.destroy();
    await proxy?.close();
    await direct?.destroy();
    await database?.drop();
  });

  /** A recorder writing through the proxy, as the runner-worker does (the lease outlasts the test). */
  async function newRecording(): Promise<{ session: SessionSummary; recorder: SessionRecorder }> {
    const session = await queuedDemoSession(readModel, projectId);
    published = [];
    onPublished = () => undefined;
    const publisher = {
      publishCommitted: (append: AppendResult) => {
        published.push(append);
        onPublished();
        return Promise.resolve();
      },
    } as unknown as EventPublisher;
    const log = new BuildLog(new EventStore(proxied), publisher);
    return { session, recorder: new SessionRecorder(session.id, STARTED, log, 10_000, () => 600_000) };
  }

  async function storedLog(sessionId: string): Promise<[number, string][]> {
    const rows = await direct.query<{ seq: number; type: string }[]>(
      'SELECT seq, type FROM build_events WHERE session_id = $1 ORDER BY seq',
      [sessionId],
    );
    return rows.map((row) => [row.seq, row.type]);
  }

  it('keeps each event once, gap-free, when the answer to a group commit is lost', async () => {
    const { session, recorder } = await newRecording();
    const lost = proxy.loseNextCommitAnswer();
    await recorder.record([message('one'), message('two')]);
    await lost;
    await recorder.finish('completed');

    expect(await storedLog(session.id)).toEqual([
      [1, 'session.started'],
      [2, 'message'],
      [3, 'message'],
      [4, 'session.finished'],
    ]);
    expect(recorder.seq).toBe(4);
    expect(recorder.status).toBe('completed');
    // The retry got the committed batch's answer, and announced its events (again, at worst).
    expect(published.map(({ fromSeq, toSeq }) => [fromSeq, toSeq])).toEqual([
      [1, 3],
      [4, 4],
    ]);
    expect(published[0].events.map((event) => event.type)).toEqual(['session.started', 'message', 'message']);
    expect(published[0]).toMatchObject({ summaryChanged: true, summary: { status: 'running', seq: 3 } });
  });

  it("gives a retry of the batch that finished the session that batch's answer, not SessionClosedError", async () => {
    const { session, recorder } = await newRecording();
    const firstCommitted = new Promise<void>((resolve) => (onPublished = resolve));
    await recorder.record([message('one')]);
    await firstCommitted; // only the finishing group's answer is lost
    const lost = proxy.loseNextCommitAnswer();
    const finished = recorder.finish('completed');
    await lost;
    await finished;

    expect(await storedLog(session.id)).toEqual([
      [1, 'session.started'],
      [2, 'message'],
      [3, 'session.finished'],
    ]);
    expect(recorder.seq).toBe(3);
    expect(recorder.status).toBe('completed');
    expect(published.at(-1)).toMatchObject({
      fromSeq: 3,
      toSeq: 3,
      summaryChanged: true,
      summary: { status: 'completed', seq: 3 },
    });
  });

  it('keeps each event once when the answer to a write without the lock (one statement) is lost', async () => {
    const { session, recorder } = await newRecording();
    const firstCommitted = new Promise<void>((resolve) => (onPublished = resolve));
    await recorder.record([message('one')]);
    await firstCommitted; // the store now appends from its last write: the write statement alone
    const lost = proxy.loseNextAnswerTo('event_store_write\0');
    await recorder.record([message('two'), message('three')]);
    await lost;
    await recorder.finish('completed');

    expect(await storedLog(session.id)).toEqual([
      [1, 'session.started'],
      [2, 'message'],
      [3, 'message'],
      [4, 'message'],
      [5, 'session.finished'],
    ]);
    expect(published.map(({ fromSeq, toSeq }) => [fromSeq, toSeq])).toEqual([
      [1, 2],
      [3, 4],
      [5, 5],
    ]);
    expect(published[1].events.map((event) => event.data)).toEqual([
      { role: 'assistant', text: 'two' },
      { role: 'assistant', text: 'three' },
    ]);
  });
});
