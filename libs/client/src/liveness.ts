/**
 * Whether the server behind an open (or opening) socket is still there. A frozen server
 * (SIGSTOP, a hung event loop, a dead path that drops packets) closes nothing: the socket
 * only goes quiet. So the client asks, with its own `ping`, whenever the line has been
 * quiet for `pingIntervalMs`, and gives up when nothing at all answers within
 * `pongTimeoutMs`; two of the server's heartbeat intervals without a frame end it too.
 * Pure: the connection keeps the clock and the timer.
 */
export interface LivenessState {
  /** When the last frame (of any kind) arrived, or the socket was created. */
  lastHeardAt: number;
  /** When the outstanding ping was sent, or null. A frame after it answers it. */
  pingSentAt: number | null;
  /** The server's heartbeat interval: as it announced it, else the client's option. */
  heartbeatMs: number;
}

export interface LivenessLimits {
  /** Quiet this long → ping; 0 turns client pings off. */
  pingIntervalMs: number;
  /** A ping unanswered this long → the server is gone. */
  pongTimeoutMs: number;
}

export type LivenessStep = { kind: 'wait'; ms: number } | { kind: 'ping' } | { kind: 'dead'; reason: string };

export function nextLivenessStep(state: LivenessState, now: number, limits: LivenessLimits): LivenessStep {
  const quiet = now - state.lastHeardAt;
  const silenceLimit = 2 * state.heartbeatMs;
  if (quiet >= silenceLimit) {
    return {
      kind: 'dead',
      reason: `no frame from the server for ${silenceLimit} ms (two heartbeat intervals)`,
    };
  }
  const untilSilence = silenceLimit - quiet;
  if (state.pingSentAt !== null && state.lastHeardAt < state.pingSentAt) {
    const waited = now - state.pingSentAt;
    if (waited >= limits.pongTimeoutMs) {
      return { kind: 'dead', reason: `no answer to a ping within ${limits.pongTimeoutMs} ms` };
    }
    return { kind: 'wait', ms: Math.min(limits.pongTimeoutMs - waited, untilSilence) };
  }
  if (limits.pingIntervalMs <= 0) return { kind: 'wait', ms: untilSilence };
  if (quiet >= limits.pingIntervalMs) return { kind: 'ping' };
  return { kind: 'wait', ms: Math.min(limits.pingIntervalMs - quiet, untilSilence) };
}

/** The interval a server message announces (`heartbeat.intervalMs`, `subscribed.heartbeatMs`), if any. */
export function announcedHeartbeatMs(message: {
  type: string;
  intervalMs?: unknown;
  heartbeatMs?: unknown;
}): number | undefined {
  const value =
    message.type === 'heartbeat'
      ? message.intervalMs
      : message.type === 'subscribed'
        ? message.heartbeatMs
        : undefined;
  return typeof value === 'number' && Number.isFinite(value) && value > 0 ? value : undefined;
}
