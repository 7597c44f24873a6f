import type { BuildRequest, NewBuildEvent, SessionSummary } from '#contracts';
import { sessionContext, NO_DEFAULTS, type BuildToPlay } from '../agent-source.js';

/** A running session as the runner reads it, with `overrides`. */
export function sessionSummary(overrides: Partial<SessionSummary> = {}): SessionSummary {
  return {
    id: '00000000-0000-4000-8000-000000000001',
    projectId: '00000000-0000-4000-8000-000000000002',
    status: 'running',
    agent: 'replay',
    agentId: 'test-agent',
    model: null,
    projectName: 'test-project',
    prompt: null,
    createdAt: '2026-01-01T00:00:00.000Z',
    startedAt: null,
    endedAt: null,
    error: null,
    usage: null,
    progress: { completed: 0, total: 0, percent: 0 },
    seq: 0,
    ...overrides,
  };
}

/** A build of `request` on a session with `overrides`, shown without defaults. */
export function buildToPlay(request: BuildRequest, overrides: Partial<SessionSummary> = {}): BuildToPlay {
  const session = sessionSummary({ agent: request.agent, ...overrides });
  return { request, session, context: sessionContext(session, NO_DEFAULTS) };
}

export async function collect(iterable: AsyncIterable<NewBuildEvent[]>): Promise<NewBuildEvent[][]> {
  const batches: NewBuildEvent[][] = [];
  for await (const batch of iterable) batches.push(batch);
  return batches;
}
