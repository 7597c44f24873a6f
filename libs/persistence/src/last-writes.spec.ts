import type { AppendResult, BuildEvent, NewBuildEvent, SessionSummary } from '#contracts';
import { LastWrites, mayAppendUnlocked, runningAfter } from './last-writes.js';

const started = (toolCallId: string): NewBuildEvent => ({
  type: 'tool.started',
  data: { toolCallId, name: 'Bash', input: {}, todoIndex: null },
});
const finished = (toolCallId: string): NewBuildEvent => ({
  type: 'tool.finished',
  data: { toolCallId, output: 'ok', isError: false },
});
const message: NewBuildEvent = { type: 'message', data: { role: 'assistant', text: 'hi' } };
const finishing: NewBuildEvent = { type: 'session.finished', data: { status: 'completed' } };

function appended(sessionId: string, seq: number, events: NewBuildEvent[], status = 'running'): AppendResult {
  const committed = events.map((event, i): BuildEvent => ({
    ...event,
    seq: seq - events.length + 1 + i,
    at: '',
  }));
  return {
    projectId: 'p',
    sessionId,
    events: committed,
    fromSeq: committed[0]?.seq ?? seq,
    toSeq: seq,
    summary: { id: sessionId, seq, status } as SessionSummary,
    summaryChanged: false,
  };
}

describe('mayAppendUnlocked', () => {
  it("is true for the runner's plain batches", () => {
    expect(mayAppendUnlocked({}, [message, started('a'), finished('a')])).toBe(true);
  });

  it('is false for a batch that finishes the session (it must abort every running call)', () => {
    expect(mayAppendUnlocked({}, [message, finishing])).toBe(false);
  });

  it('is false with a lease condition, an audit or an external runner’s bookkeeping', () => {
    expect(mayAppendUnlocked({ onlyIfLeaseExpired: true }, [message])).toBe(false);
    expect(mayAppendUnlocked({ onlyIfUnheld: true }, [message])).toBe(false);
    expect(mayAppendUnlocked({ audit: {} }, [message])).toBe(false);
    expect(mayAppendUnlocked({ ingest: { leaseMs: 1 } }, [message])).toBe(false);
  });
});

describe('runningAfter', () => {
  it('adds the started calls and removes the finished ones, in order', () => {
    const running = new Set(['old']);
    expect(runningAfter(running, [started('a'), started('b'), finished('a'), finished('old')])).toEqual(
      new Set(['b']),
    );
    expect(running).toEqual(new Set(['old'])); // unchanged
  });
});

describe('LastWrites', () => {
  it('remembers the summary and the running calls after each append', () => {
    const writes = new LastWrites();
    writes.remember(appended('s', 2, [started('a'), started('b')]));
    writes.remember(appended('s', 3, [finished('a')]));
    expect(writes.get('s')).toEqual({
      summary: expect.objectContaining({ seq: 3 }),
      running: new Set(['b']),
    });
  });

  it('drops a finished session, and one it is told to forget', () => {
    const writes = new LastWrites();
    writes.remember(appended('s', 1, [message]));
    writes.remember(appended('s', 2, [finishing], 'completed'));
    expect(writes.get('s')).toBeUndefined();
    writes.remember(appended('t', 1, [started('a')]));
    writes.forget('t');
    expect(writes.get('t')).toBeUndefined();
    writes.remember(appended('t', 2, [message])); // starts over: the calls it had are unknown now
    expect(writes.get('t')?.running).toEqual(new Set());
  });

  it('keeps the sessions appended to most recently, at most its limit', () => {
    const writes = new LastWrites(2);
    writes.remember(appended('a', 1, [message]));
    writes.remember(appended('b', 1, [message]));
    writes.remember(appended('a', 2, [message])); // a is now the most recent
    writes.remember(appended('c', 1, [message]));
    expect(['a', 'b', 'c'].map((id) => writes.get(id)?.summary.seq)).toEqual([2, undefined, 1]);
  });
});
