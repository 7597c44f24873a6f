// The runner's own write path, as a replay build runs it: transcript lines → parser →
// SessionRecorder (group commit) → BuildLog (EventStore.append, then publish). Measured twice
// in the same run: `group` (the runner as built) and `per-event` (the same recorder bounded to
// one event per append, which is what the runner did before group commit).
import { performance } from 'node:perf_hooks';
import type { BuildLog } from '#bus';
import type { BuildReadModel } from '#persistence';
import { createParser } from '#transcripts';
import { replayTranscript } from '../../apps/runner-worker/src/agents/replay/replay.js';
import { APPEND_LIMITS, SessionRecorder } from '../../apps/runner-worker/src/builds/session-recorder.js';
import type { GroupLimits } from '../../apps/runner-worker/src/builds/group-commit.js';
import { realisticEvents, take } from '../support/bench-utils.js';

export type AppenderMode = 'group' | 'per-event';

const LIMITS: Record<AppenderMode, GroupLimits> = {
  group: APPEND_LIMITS,
  'per-event': { maxItems: 1, maxBytes: Infinity },
};

const TOOL_OUTPUT_MAX_BYTES = 64 * 1024;

export interface ReplayRun {
  mode: AppenderMode;
  sessions: number;
  events: number;
  appends: number;
  seconds: number;
  /** This process' user + system CPU per committed event. */
  cpuUsPerEvent: number;
  /** The CPU of the database's backends per committed event (NaN where /proc cannot tell). */
  postgresUsPerEvent: number;
}

/** A buildcast-ndjson transcript of `count` realistic events between its start and finish lines. */
export function benchTranscript(prefix: string, count: number): string {
  const lines = [JSON.stringify({ type: 'session.started', data: { model: 'bench' } })];
  for (const event of take(realisticEvents(prefix), count - 2)) lines.push(JSON.stringify(event));
  lines.push(JSON.stringify({ type: 'session.finished', data: { status: 'completed' } }));
  return lines.join('\n');
}

/**
 * One replay build's write path, as the runner runs it: the transcript (eventIntervalMs 0)
 * through the parser into a SessionRecorder on `log`, finished `completed`. Its recorder.
 */
export async function replayInto(
  log: BuildLog,
  sessionId: string,
  transcript: string,
  projectName: string,
  limits: GroupLimits = APPEND_LIMITS,
): Promise<SessionRecorder> {
  const context = { agentId: 'bench', projectName, prompt: null, model: null };
  const recorder = new SessionRecorder(
    sessionId,
    context,
    log,
    TOOL_OUTPUT_MAX_BYTES,
    () => 60_000,
    undefined,
    limits,
  );
  const parser = createParser('buildcast-ndjson', context);
  for await (const batch of replayTranscript(transcript, parser, 0, new AbortController().signal)) {
    await recorder.record(batch);
  }
  await recorder.finish('completed');
  return recorder;
}

/** Replays one transcript per session, all at once, as fast as the appender takes them. */
export async function replayAll(
  log: BuildLog,
  readModel: BuildReadModel,
  projectId: string,
  sessionIds: string[],
  eventsPerSession: number,
  mode: AppenderMode,
  startBackendCpu: () => Promise<() => Promise<number>>,
): Promise<ReplayRun> {
  const transcripts = sessionIds.map((_, index) => benchTranscript(`r${index}`, eventsPerSession));
  let appends = 0;
  const counting = {
    append: (...args: Parameters<BuildLog['append']>) => {
      appends += 1;
      return log.append(...args);
    },
  } as BuildLog;
  const backendCpuMs = await startBackendCpu();
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    sessionIds.map((sessionId, index) =>
      replayInto(counting, sessionId, transcripts[index], 'ingest bench', LIMITS[mode]),
    ),
  );
  const seconds = (performance.now() - started) / 1000;
  const { user, system } = process.cpuUsage(cpu);
  const postgresMs = await backendCpuMs();
  let events = 0;
  for (const sessionId of sessionIds) {
    const session = await readModel.getSessionSummary(projectId, sessionId);
    events += session?.seq ?? 0;
  }
  return {
    mode,
    sessions: sessionIds.length,
    events,
    appends,
    seconds,
    cpuUsPerEvent: (user + system) / events,
    postgresUsPerEvent: (postgresMs * 1000) / events,
  };
}

export function replayRow(run: ReplayRun): string {
  const perSecond = Math.round(run.events / run.seconds).toLocaleString('en');
  return `| ${run.mode} | ${run.sessions} | ${run.events.toLocaleString('en')} | ${run.appends.toLocaleString('en')} | ${(run.events / run.appends).toFixed(1)} | ${run.seconds.toFixed(2)} | ${perSecond} | ${Math.round(run.cpuUsPerEvent)} | ${Number.isNaN(run.postgresUsPerEvent) ? 'n/a' : run.postgresUsPerEvent.toFixed(1)} |`;
}

export const REPLAY_HEADER = [
  '| appender | sessions | events | appends | events per append | seconds | events/s | runner CPU µs per event | Postgres CPU µs per event |',
  '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
];
