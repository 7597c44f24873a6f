import { jest } from '@jest/globals';
import type { BuildEvent, Snapshot } from './contracts.js';
import { watchBuild } from './build-watch.js';
import { HttpError } from './http.js';
import { FakeSocket } from './test/fake-socket.js';

const P = '11111111-1111-4111-8111-111111111111';
const S = '22222222-2222-4222-8222-222222222222';
const at = '2026-11-23T10:00:00.000Z';

const snapshot = (seq = 0): Snapshot => ({
  seq,
  session: {
    id: S,
    projectId: P,
    status: seq > 0 ? 'running' : 'queued',
    agent: 'replay',
    agentId: 'claude-code',
    model: 'claude-opus',
    projectName: 'p',
    prompt: null,
    createdAt: at,
    startedAt: seq > 0 ? at : null,
    endedAt: null,
    error: null,
    usage: null,
    progress: { completed: 0, total: 0, percent: 0 },
    audit: [],
  },
  todos: [],
  toolCalls: [],
  messages: [],
});

const started = (seq: number, id: string): BuildEvent => ({
  seq,
  at,
  type: 'tool.started',
  data: { toolCallId: id, name: 'Bash', input: {}, todoIndex: null },
});
const batch = (fromSeq: number, toSeq: number, events: BuildEvent[]) => ({
  type: 'events',
  projectId: P,
  sessionId: S,
  fromSeq,
  toSeq,
  events,
});

describe('watchBuild', () => {
  let fetchMock: jest.Mock<typeof fetch>;
  let snapshots: Snapshot[];

  beforeEach(() => {
    jest.useFakeTimers();
    FakeSocket.all = [];
    snapshots = [snapshot(0)];
    fetchMock = jest.fn<typeof fetch>(async (input) => {
      const url = input as string;
      if (url.includes('/events')) {
        // A long-poll with nothing new answers after its wait.
        await new Promise((resolve) => setTimeout(resolve, 25_000));
        return new Response(JSON.stringify({ events: [], seq: 0, latestSeq: 0, finished: false }));
      }
      return new Response(JSON.stringify(snapshots.shift() ?? snapshot(0)));
    });
  });
  afterEach(() => jest.useRealTimers());

  const start = async (options = {}) => {
    const watch = watchBuild(P, S, {
      baseUrl: 'http://app.test',
      WebSocket: FakeSocket,
      fetch: fetchMock,
      random: () => 0.5,
      ...options,
    });
    await jest.advanceTimersByTimeAsync(0);
    return watch;
  };

  it('hydrates, subscribes with since = the snapshot seq, and goes live on subscribed', async () => {
    snapshots = [snapshot(4)];
    const watch = await start();
    expect(watch.status).toBe('connecting');
    expect(FakeSocket.last.url).toBe(`ws://app.test/ws?projectId=${P}&sessionId=${S}&since=4`);
    FakeSocket.last.open();
    FakeSocket.last.receive({ type: 'subscribed', projectId: P, sessionId: S, seq: 4 });
    expect(watch.status).toBe('live');
    expect(watch.state?.seq).toBe(4);
    watch.close();
  });

  it('applies by seq: ignores what it has, dedupes tool calls, converts dates, keeps agent metadata', async () => {
    const watch = await start();
    const socket = FakeSocket.last;
    socket.open();
    socket.receive({ type: 'subscribed', projectId: P, sessionId: S, seq: 0 });
    socket.receive(
      batch(1, 2, [
        { seq: 1, at, type: 'session.started', data: { agentId: '', model: null, projectName: '' } },
        started(2, 'a'),
      ]),
    );
    socket.receive(batch(1, 2, [started(2, 'a')])); // a repeat: ignored
    socket.receive(batch(3, 3, [started(3, 'a')])); // a duplicate id: no second call
    expect(watch.state?.seq).toBe(3);
    expect(watch.state?.toolCalls).toHaveLength(1);
    expect(watch.state?.toolCalls[0].startedAt).toBeInstanceOf(Date);
    expect(watch.state?.session.startedAt).toBeInstanceOf(Date);
    expect(watch.state?.session.agentId).toBe('claude-code');
    expect(watch.state?.session.model).toBe('claude-opus');
    watch.close();
  });

  it('asks for the missing seqs instead of applying a batch after a gap', async () => {
    const watch = await start();
    const socket = FakeSocket.last;
    socket.open();
    socket.receive({ type: 'subscribed', projectId: P, sessionId: S, seq: 0 });
    socket.receive(batch(3, 4, [started(3, 'x'), started(4, 'y')]));
    expect(watch.state?.seq).toBe(0);
    expect(socket.sent).toEqual([{ type: 'subscribe', projectId: P, sessionId: S, since: 0 }]);
    watch.close();
  });

  it('counts a batch that left out superseded events up to its toSeq', async () => {
    const watch = await start();
    const socket = FakeSocket.last;
    socket.open();
    socket.receive(batch(1, 5, [started(2, 'a')]));
    expect(watch.state?.seq).toBe(5);
    watch.close();
  });

  it('reconnects with full-jitter backoff and the current cursor; 1012 reconnects at once', async () => {
    const watch = await start();
    FakeSocket.last.open();
    FakeSocket.last.receive(batch(1, 2, [started(1, 'a'), started(2, 'b')]));
    FakeSocket.last.drop(1006);
    expect(watch.status).toBe('reconnecting');
    expect(FakeSocket.all).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(499); // random 0.5 × 1 s
    expect(FakeSocket.all).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(FakeSocket.all).toHaveLength(2);
    expect(FakeSocket.last.url).toMatch(/since=2$/);
    FakeSocket.last.open();
    FakeSocket.last.drop(1012, 'service restart');
    await jest.advanceTimersByTimeAsync(0);
    expect(FakeSocket.all).toHaveLength(3);
    watch.close();
  });

  it('doubles the backoff cap up to 30 s', async () => {
    const watch = await start({ random: () => 1, failuresBeforePolling: 100 });
    const delays: number[] = [];
    for (let i = 0; i < 8; i++) {
      const before = FakeSocket.all.length;
      FakeSocket.last.drop(1006);
      let waited = 0;
      while (FakeSocket.all.length === before) {
        await jest.advanceTimersByTimeAsync(100);
        waited += 100;
      }
      delays.push(waited);
    }
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    watch.close();
  });

  it('falls back to REST long-polling after 10 failures, and back to live when a socket subscribes', async () => {
    const watch = await start({ random: () => 0 });
    for (let i = 0; i < 10; i++) {
      FakeSocket.last.drop(1006);
      await jest.advanceTimersByTimeAsync(0);
    }
    expect(watch.status).toBe('polling');
    expect(fetchMock.mock.calls.some(([url]) => (url as string).includes('/events?after=0'))).toBe(true);
    FakeSocket.last.open();
    FakeSocket.last.receive({ type: 'subscribed', projectId: P, sessionId: S, seq: 0 });
    expect(watch.status).toBe('live');
    watch.close();
  });

  it('treats two silent heartbeat intervals as a dead server', async () => {
    const watch = await start({ heartbeatMs: 1000 });
    FakeSocket.last.open();
    FakeSocket.last.receive({ type: 'subscribed', projectId: P, sessionId: S, seq: 0 });
    await jest.advanceTimersByTimeAsync(1500);
    FakeSocket.last.receive({ type: 'heartbeat', at });
    await jest.advanceTimersByTimeAsync(1999);
    expect(watch.status).toBe('live');
    await jest.advanceTimersByTimeAsync(1);
    expect(watch.status).toBe('reconnecting');
    expect(FakeSocket.all[0].closedByClient).toBe(true);
    watch.close();
  });

  it('pings after a quiet interval; no answer within the timeout drops the socket and resumes from the cursor', async () => {
    const watch = await start({ pingIntervalMs: 1000, pongTimeoutMs: 500 });
    const socket = FakeSocket.last;
    socket.open();
    socket.receive({ type: 'subscribed', projectId: P, sessionId: S, seq: 0 });
    socket.receive(batch(1, 1, [started(1, 'a')]));
    await jest.advanceTimersByTimeAsync(999);
    expect(socket.sent).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(socket.sent).toEqual([{ type: 'ping' }]);
    socket.receive({ type: 'pong' });
    await jest.advanceTimersByTimeAsync(1000);
    expect(socket.sent).toEqual([{ type: 'ping' }, { type: 'ping' }]);
    await jest.advanceTimersByTimeAsync(499);
    expect(watch.status).toBe('live');
    await jest.advanceTimersByTimeAsync(1);
    expect(watch.status).toBe('reconnecting');
    expect(socket.closedByClient).toBe(true);
    await jest.advanceTimersByTimeAsync(1000);
    expect(FakeSocket.last).not.toBe(socket);
    expect(FakeSocket.last.url).toMatch(/since=1$/);
    watch.close();
  });

  it("uses the server's announced heartbeat interval for the silence bound", async () => {
    const watch = await start({ pingIntervalMs: 0 });
    FakeSocket.last.open();
    FakeSocket.last.receive({ type: 'subscribed', projectId: P, sessionId: S, seq: 0, heartbeatMs: 1000 });
    await jest.advanceTimersByTimeAsync(1999);
    expect(watch.status).toBe('live');
    await jest.advanceTimersByTimeAsync(1);
    expect(watch.status).toBe('reconnecting');
    watch.close();
  });

  it('gives up on an upgrade that is never answered after the ping interval and the pong timeout', async () => {
    const watch = await start({ pingIntervalMs: 1000, pongTimeoutMs: 500 });
    const socket = FakeSocket.last;
    await jest.advanceTimersByTimeAsync(1499);
    expect(socket.closedByClient).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    expect(socket.closedByClient).toBe(true);
    expect(watch.status).toBe('reconnecting');
    watch.close();
  });

  it('resync: fetches a fresh snapshot and subscribes again from its seq', async () => {
    snapshots = [snapshot(0), snapshot(7)];
    const watch = await start();
    FakeSocket.last.open();
    FakeSocket.last.receive({ type: 'resync', projectId: P, sessionId: S, reason: 'behind' });
    await jest.advanceTimersByTimeAsync(0);
    expect(watch.state?.seq).toBe(7);
    expect(FakeSocket.last.url).toMatch(/since=7$/);
    watch.close();
  });

  it('hydrates again with the validator of its last snapshot and keeps its state on a 304', async () => {
    const conditional: (string | null)[] = [];
    let answers = [
      () => new Response(JSON.stringify(snapshot(3)), { headers: { etag: 'W/"3-a"' } }),
      () => new Response(null, { status: 304 }),
      () => new Response(JSON.stringify(snapshot(9)), { headers: { etag: 'W/"9-b"' } }),
    ];
    fetchMock.mockImplementation((_input, init) => {
      conditional.push(new Headers(init?.headers).get('if-none-match'));
      const [answer, ...rest] = answers;
      answers = rest;
      return Promise.resolve(answer());
    });
    const watch = await start();
    FakeSocket.last.open();
    FakeSocket.last.receive(batch(4, 4, [started(4, 'a')]));
    const resync = async () => {
      FakeSocket.last.receive({ type: 'resync', projectId: P, sessionId: S, reason: 'behind' });
      await jest.advanceTimersByTimeAsync(0);
    };
    await resync(); // 304: still the snapshot of seq 3 plus event 4
    expect(watch.state?.seq).toBe(4);
    expect(watch.state?.toolCalls.map((call) => call.id)).toEqual(['a']);
    expect(FakeSocket.last.url).toMatch(/since=4$/);
    FakeSocket.last.open();
    await resync(); // a new snapshot
    expect(watch.state?.seq).toBe(9);
    expect(conditional).toEqual([null, 'W/"3-a"', 'W/"3-a"']);
    watch.close();
  });

  it('goes to error on 404 or a refused subscription, and retry() starts over', async () => {
    fetchMock.mockImplementation(() =>
      Promise.resolve(new Response('{"statusCode":404,"message":"Build x not found"}', { status: 404 })),
    );
    const watch = await start();
    expect(watch.status).toBe('error');
    expect(watch.error).toBe('404 Build x not found');
    expect(watch.notFound).toBe(true);
    fetchMock.mockImplementation(() => Promise.resolve(new Response(JSON.stringify(snapshot(1)))));
    watch.retry();
    await jest.advanceTimersByTimeAsync(0);
    FakeSocket.last.open();
    expect(watch.notFound).toBe(false);
    FakeSocket.last.drop(4400, 'bad');
    expect(watch.status).toBe('error');
    watch.close();
  });

  it('goes to error on a 400 (malformed id) but keeps retrying after a 429 or a 503', async () => {
    const answer = (status: number) => () =>
      Promise.resolve(new Response(`{"statusCode":${status},"message":"m${status}"}`, { status }));
    fetchMock.mockImplementation(answer(400));
    const refused = await start();
    expect(refused.status).toBe('error');
    expect(refused.error).toBe('400 m400');
    expect(refused.notFound).toBe(false);
    refused.close();
    for (const status of [429, 503]) {
      fetchMock.mockImplementation(answer(status));
      const retrying = await start();
      expect(retrying.status).toBe('reconnecting');
      retrying.close();
    }
  });
});

describe('watchBuild with getToken', () => {
  const T0 = Date.parse('2026-12-01T10:00:00.000Z');
  let fetchMock: jest.Mock<typeof fetch>;
  let getToken: jest.Mock<(target: { projectId: string; sessionId?: string }) => Promise<unknown>>;
  let minted: number;
  /** How REST answers: a snapshot, or 401 once `restSignedOut`. */
  let restSignedOut: boolean;

  beforeEach(() => {
    jest.useFakeTimers({ now: T0 });
    FakeSocket.all = [];
    minted = 0;
    restSignedOut = false;
    // Tokens live 3 s: renewed 2 s after they arrive.
    getToken = jest.fn(() => {
      minted += 1;
      return Promise.resolve({
        token: `token-${minted}`,
        expiresAt: new Date(Date.now() + 3_000).toISOString(),
      });
    });
    fetchMock = jest.fn<typeof fetch>(async (input) => {
      if (restSignedOut) return new Response('{"statusCode":401,"message":"Signed out"}', { status: 401 });
      if (!(input as string).includes('/events')) return new Response(JSON.stringify(snapshot(3)));
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      return new Response(JSON.stringify({ events: [], seq: 3, latestSeq: 3, finished: false }));
    });
  });
  afterEach(() => jest.useRealTimers());

  const start = async (options: object = { getToken }) => {
    const watch = watchBuild(P, S, {
      baseUrl: 'http://app.test',
      WebSocket: FakeSocket,
      fetch: fetchMock,
      random: () => 0.5,
      pingIntervalMs: 0,
      ...options,
    });
    await jest.advanceTimersByTimeAsync(0);
    return watch;
  };
  const authorization = (call: number) =>
    new Headers(fetchMock.mock.calls[call][1]?.headers).get('authorization');
  const goLive = (socket: FakeSocket) => {
    socket.open();
    socket.receive({ type: 'authenticated', expiresAt: null });
    socket.receive({ type: 'subscribed', projectId: P, sessionId: S, seq: 3 });
  };

  it('asks for its build, sends the token as Bearer on REST and as the first socket message, never in the URL', async () => {
    const watch = await start();
    expect(getToken).toHaveBeenCalledWith({ projectId: P, sessionId: S });
    expect(authorization(0)).toBe('Bearer token-1');
    expect(FakeSocket.last.url).not.toContain('token');
    FakeSocket.last.open();
    expect(FakeSocket.last.sent).toEqual([{ type: 'auth', token: 'token-1' }]);
    watch.close();
  });

  it('renews in place when two thirds of the lifetime are gone, on every authenticated', async () => {
    const watch = await start();
    const socket = FakeSocket.last;
    goLive(socket);
    await jest.advanceTimersByTimeAsync(1_999);
    expect(getToken).toHaveBeenCalledTimes(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(getToken).toHaveBeenCalledTimes(2);
    expect(socket.sent).toEqual([
      { type: 'auth', token: 'token-1' },
      { type: 'auth', token: 'token-2' },
    ]);
    socket.receive({ type: 'authenticated', expiresAt: null });
    await jest.advanceTimersByTimeAsync(2_000);
    expect(socket.sent).toContainEqual({ type: 'auth', token: 'token-3' });
    expect(FakeSocket.all).toHaveLength(1);
    expect(watch.status).toBe('live');
    watch.close();
  });

  it('on 4401 after it worked: a new token and a new socket at once, resuming from the cursor', async () => {
    const watch = await start();
    goLive(FakeSocket.last);
    FakeSocket.last.receive(batch(4, 5, [started(4, 'a'), started(5, 'b')]));
    FakeSocket.last.drop(4401, 'credential expired');
    expect(watch.status).toBe('reconnecting');
    await jest.advanceTimersByTimeAsync(0);
    expect(getToken).toHaveBeenCalledTimes(2);
    expect(FakeSocket.all).toHaveLength(2);
    expect(FakeSocket.last.url).toMatch(/since=5$/);
    FakeSocket.last.open();
    expect(FakeSocket.last.sent).toEqual([{ type: 'auth', token: 'token-2' }]);
    expect(fetchMock).toHaveBeenCalledTimes(1); // no second snapshot: the cursor carries on
    watch.close();
  });

  it('on 4401 before it ever authenticated: a new token after the backoff', async () => {
    const watch = await start();
    FakeSocket.last.open();
    FakeSocket.last.drop(4401, 'bad credential');
    expect(watch.status).toBe('reconnecting');
    await jest.advanceTimersByTimeAsync(499);
    expect(FakeSocket.all).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(getToken).toHaveBeenCalledTimes(2);
    expect(FakeSocket.all).toHaveLength(2);
    watch.close();
  });

  it('getToken refusing with 401 or 403 is signed-out, not error; retry() starts over', async () => {
    for (const status of [401, 403]) {
      getToken.mockRejectedValueOnce(new HttpError(status, `${status} Signed out`));
      const watch = await start();
      expect(watch.status).toBe('signed-out');
      expect(watch.error).toContain('Signed out');
      expect(FakeSocket.all).toHaveLength(0);
      watch.retry();
      await jest.advanceTimersByTimeAsync(0);
      expect(watch.status).toBe('connecting');
      expect(FakeSocket.all).toHaveLength(1);
      watch.close();
      FakeSocket.all = [];
    }
  });

  it('a failed renewal with 401 (signed out elsewhere) ends the socket: signed-out', async () => {
    const watch = await start();
    goLive(FakeSocket.last);
    getToken.mockRejectedValueOnce(new HttpError(401, '401 Signed out'));
    await jest.advanceTimersByTimeAsync(2_000);
    expect(watch.status).toBe('signed-out');
    expect(FakeSocket.last.closedByClient).toBe(true);
    watch.close();
  });

  it('getToken failing otherwise (network) retries with backoff; a 404 is an error', async () => {
    getToken.mockRejectedValueOnce(new HttpError(0, 'network down'));
    const watch = await start();
    expect(watch.status).toBe('reconnecting');
    await jest.advanceTimersByTimeAsync(500);
    expect(FakeSocket.all).toHaveLength(1);
    watch.close();
    getToken.mockRejectedValueOnce(new HttpError(404, '404 Project x not found'));
    const missing = await start();
    expect(missing.status).toBe('error');
    missing.close();
  });

  it('without getToken: REST 401 or a 4401 close is signed-out (the cookie is gone)', async () => {
    restSignedOut = true;
    const refused = await start({});
    expect(refused.status).toBe('signed-out');
    expect(refused.error).toBe('401 Signed out');
    expect(authorization(0)).toBeNull();
    refused.close();

    restSignedOut = false;
    const watch = await start({});
    goLive(FakeSocket.last);
    expect(FakeSocket.last.sent).toEqual([]);
    FakeSocket.last.drop(4401, 'credential revoked');
    expect(watch.status).toBe('signed-out');
    await jest.advanceTimersByTimeAsync(60_000);
    expect(FakeSocket.all).toHaveLength(1);
    watch.close();
  });

  it('a snapshot answered 401 (the token expired or was revoked) asks getToken again and hydrates with the new one', async () => {
    restSignedOut = true;
    const watch = await start();
    expect(watch.status).toBe('reconnecting');
    expect(authorization(0)).toBe('Bearer token-1');
    restSignedOut = false;
    await jest.advanceTimersByTimeAsync(500); // the backoff: random 0.5 × 1 s
    expect(getToken).toHaveBeenCalledTimes(2);
    expect(authorization(1)).toBe('Bearer token-2');
    expect(watch.state?.seq).toBe(3);
    FakeSocket.last.open();
    expect(FakeSocket.last.sent).toEqual([{ type: 'auth', token: 'token-2' }]);
    watch.close();
  });

  it('polling: a REST 401 asks getToken again, a refusal there is signed-out', async () => {
    const watch = await start({ getToken, random: () => 0, failuresBeforePolling: 1 });
    FakeSocket.last.drop(1006);
    await jest.advanceTimersByTimeAsync(0);
    expect(watch.status).toBe('polling');
    restSignedOut = true;
    getToken.mockRejectedValue(new HttpError(401, '401 Signed out'));
    // The long-poll answers 401; the credential is dropped, the next round asks for another.
    await jest.advanceTimersByTimeAsync(10_000);
    expect(watch.status).toBe('signed-out');
    watch.close();
  });
});
