import { jest } from '@jest/globals';
import type { SessionSummary } from '#contracts';
import { watchProject } from './project-watch.js';
import { FakeSocket } from './test/fake-socket.js';

const P = '11111111-1111-4111-8111-111111111111';

/** Build `n` of the project: higher n, newer. */
const summary = (n: number, overrides: Partial<SessionSummary> = {}): SessionSummary => ({
  id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  projectId: P,
  status: 'running',
  agent: 'demo',
  agentId: 'demo',
  model: null,
  projectName: 'p',
  prompt: `prompt ${n}`,
  createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, n)).toISOString(),
  startedAt: null,
  endedAt: null,
  error: null,
  usage: null,
  progress: { completed: 0, total: 0, percent: 0 },
  seq: 1,
  ...overrides,
});

describe('watchProject', () => {
  let rows: SessionSummary[];
  let fetchMock: jest.Mock<typeof fetch>;

  /** The API's paging: newest first, `limit`, after `before`. */
  beforeEach(() => {
    FakeSocket.all = [];
    rows = Array.from({ length: 5 }, (_, i) => summary(i + 1));
    fetchMock = jest.fn<typeof fetch>((input) => {
      const url = new URL(input as string);
      const newestFirst = [...rows].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
      const before = url.searchParams.get('before');
      const from = before ? newestFirst.findIndex((row) => row.id === before) + 1 : 0;
      const limit = Number(url.searchParams.get('limit'));
      return Promise.resolve(new Response(JSON.stringify(newestFirst.slice(from, from + limit))));
    });
  });

  const start = async (pageSize: number) => {
    const watch = watchProject(
      P,
      { baseUrl: 'http://app.test', WebSocket: FakeSocket, fetch: fetchMock },
      { pageSize },
    );
    await new Promise((resolve) => setImmediate(resolve));
    FakeSocket.last.open();
    FakeSocket.last.receive({ type: 'subscribed', projectId: P, seq: 0, heartbeatMs: 15000 });
    return watch;
  };
  const shown = (watch: { sessions: { prompt: string | null }[] | null }) =>
    watch.sessions?.map((session) => session.prompt);
  const settled = () => new Promise((resolve) => setImmediate(resolve));

  it('reads the first page, then older pages on request, until a short page', async () => {
    const watch = await start(2);
    expect(fetchMock.mock.calls[0][0]).toBe(`http://app.test/api/projects/${P}/builds?limit=2`);
    expect(shown(watch)).toEqual(['prompt 5', 'prompt 4']);
    expect(watch.hasMore).toBe(true);
    await watch.loadMore();
    expect(shown(watch)).toEqual(['prompt 5', 'prompt 4', 'prompt 3', 'prompt 2']);
    expect(watch.hasMore).toBe(true);
    await watch.loadMore();
    expect(shown(watch)).toEqual(['prompt 5', 'prompt 4', 'prompt 3', 'prompt 2', 'prompt 1']);
    expect(watch.hasMore).toBe(false);
    watch.close();
  });

  it('knows there is nothing more when the first page is short', async () => {
    const watch = await start(10);
    expect(watch.sessions).toHaveLength(5);
    expect(watch.hasMore).toBe(false);
    watch.close();
  });

  it('reads the list again, once, for a burst of summaries of builds it does not list', async () => {
    const watch = await start(2);
    const before = fetchMock.mock.calls.length;
    for (const n of [1, 2, 3]) FakeSocket.last.receive({ type: 'session', ...toMessage(summary(n)) });
    await settled();
    await settled();
    // One reload for the first, one more for those that came while it ran.
    expect(fetchMock.mock.calls.length - before).toBeLessThanOrEqual(2);
    expect(fetchMock.mock.calls.length - before).toBeGreaterThanOrEqual(1);
    watch.close();
  });

  it('reads the row of a build that just finished, for its error', async () => {
    const watch = await start(2);
    rows[4] = summary(5, { status: 'failed', error: 'boom', seq: 9 });
    FakeSocket.last.receive({ type: 'session', ...toMessage(summary(5, { status: 'failed', seq: 9 })) });
    expect(watch.sessions?.[0].status).toBe('failed');
    await settled();
    await settled();
    expect(watch.sessions?.[0].error).toBe('boom');
    watch.close();
  });
});

function toMessage(row: SessionSummary) {
  const { id, status, progress, agentId, model, projectName, seq, startedAt, endedAt } = row;
  return {
    projectId: P,
    sessionId: id,
    status,
    progress,
    agentId,
    model,
    projectName,
    seq,
    startedAt,
    endedAt,
  };
}
