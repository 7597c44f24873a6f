import { announcedHeartbeatMs, nextLivenessStep, type LivenessState } from './liveness.js';

const limits = { pingIntervalMs: 10_000, pongTimeoutMs: 5_000 };
const state = (overrides: Partial<LivenessState> = {}): LivenessState => ({
  lastHeardAt: 0,
  pingSentAt: null,
  heartbeatMs: 30_000,
  ...overrides,
});

describe('nextLivenessStep', () => {
  it('waits while the line is busy, until the ping interval of quiet', () => {
    expect(nextLivenessStep(state({ lastHeardAt: 1_000 }), 4_000, limits)).toEqual({
      kind: 'wait',
      ms: 7_000,
    });
  });

  it('pings after the ping interval of quiet', () => {
    expect(nextLivenessStep(state(), 10_000, limits)).toEqual({ kind: 'ping' });
  });

  it('waits for the answer, then declares the server dead when none came in time', () => {
    const asked = state({ pingSentAt: 10_000 });
    expect(nextLivenessStep(asked, 12_000, limits)).toEqual({ kind: 'wait', ms: 3_000 });
    expect(nextLivenessStep(asked, 15_000, limits)).toEqual({
      kind: 'dead',
      reason: 'no answer to a ping within 5000 ms',
    });
  });

  it('takes any frame after the ping as the answer', () => {
    const answered = state({ pingSentAt: 10_000, lastHeardAt: 10_001 });
    expect(nextLivenessStep(answered, 15_000, limits)).toEqual({ kind: 'wait', ms: 5_001 });
  });

  it("still ends a socket after two of the server's heartbeat intervals of silence", () => {
    const off = { pingIntervalMs: 0, pongTimeoutMs: 5_000 };
    expect(nextLivenessStep(state({ heartbeatMs: 1_000 }), 1_500, off)).toEqual({ kind: 'wait', ms: 500 });
    expect(nextLivenessStep(state({ heartbeatMs: 1_000 }), 2_000, off)).toMatchObject({ kind: 'dead' });
    // The silence bound also caps a wait for a pong.
    expect(nextLivenessStep(state({ heartbeatMs: 1_000, pingSentAt: 500 }), 1_000, limits)).toEqual({
      kind: 'wait',
      ms: 1_000,
    });
  });

  it('never pings when pings are off', () => {
    expect(nextLivenessStep(state(), 50_000, { pingIntervalMs: 0, pongTimeoutMs: 5_000 })).toEqual({
      kind: 'wait',
      ms: 10_000,
    });
  });
});

describe('announcedHeartbeatMs', () => {
  it('reads heartbeat.intervalMs and subscribed.heartbeatMs, ignores anything else', () => {
    expect(announcedHeartbeatMs({ type: 'heartbeat', intervalMs: 30_000 })).toBe(30_000);
    expect(announcedHeartbeatMs({ type: 'subscribed', heartbeatMs: 500 })).toBe(500);
    expect(announcedHeartbeatMs({ type: 'heartbeat' })).toBeUndefined();
    expect(announcedHeartbeatMs({ type: 'heartbeat', intervalMs: -1 })).toBeUndefined();
    expect(announcedHeartbeatMs({ type: 'heartbeat', intervalMs: '30000' })).toBeUndefined();
    expect(announcedHeartbeatMs({ type: 'events', intervalMs: 5 })).toBeUndefined();
  });
});
