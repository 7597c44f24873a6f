import { readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';
import type { INestApplicationContext } from '@nestjs/common';
import {
  applyEvent,
  emptySnapshot,
  type BuildEvent,
  type EventsPage,
  type Snapshot,
  type StartBuildResponse,
} from '#contracts';
import { BuildsProcessor } from '../../apps/runner-worker/src/builds/builds.processor.js';
import { request } from './stack.js';

/** The transcript fixtures (real agent output; see test/fixtures/transcripts/SOURCES.md). */
export const FIXTURES = path.resolve(process.cwd(), 'test/fixtures/transcripts');

/** A stand-in CLI for live-agent tests; its scenario is a `fake:…` prompt (see the script). */
export const FAKE_AGENT = path.resolve(process.cwd(), 'test/fixtures/fake-agent.mjs');

/** Creates a project named `name` and starts a demo build in it (`eventIntervalMs` paces it). */
export async function startDemoBuild(
  apiUrl: string,
  name: string,
  eventIntervalMs?: number,
): Promise<{ projectId: string; sessionId: string }> {
  const project = await request<{ id: string }>(`${apiUrl}/projects`, { body: { name } });
  if (project.status !== 201) throw new Error(`POST /projects answered ${project.status}`);
  const started = await request<StartBuildResponse>(`${apiUrl}/projects/${project.body.id}/builds`, {
    body: { agent: 'demo', eventIntervalMs },
  });
  if (started.status !== 202) throw new Error(`POST /builds answered ${started.status}`);
  return { projectId: project.body.id, sessionId: started.body.sessionId };
}

/**
 * Runs `work` while `workers` take no job from the queue: a build started meanwhile stays
 * queued (seq 0) until `work` returns, so a watch that `work` sees join has every event to
 * come, however slowly the machine runs.
 */
export async function withBuildsHeld<T>(
  workers: INestApplicationContext[],
  work: () => Promise<T>,
): Promise<T> {
  const queueWorkers = workers.map((worker) => worker.get(BuildsProcessor).worker);
  // BullMQ's pause waits for the jobs running and drops its blocking fetch: nothing is taken after.
  await Promise.all(queueWorkers.map((queueWorker) => queueWorker.pause()));
  try {
    return await work();
  } finally {
    await Promise.all(queueWorkers.map((queueWorker) => queueWorker.resume()));
  }
}

/** Long-polls the events endpoint from seq 0 until the session's last event. */
export async function pollUntilFinished(
  apiUrl: string,
  projectId: string,
  sessionId: string,
): Promise<BuildEvent[]> {
  const events: BuildEvent[] = [];
  let after = 0;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const url = `${apiUrl}/projects/${projectId}/builds/${sessionId}/events?after=${after}&waitMs=5000`;
    const { status, body } = await request<EventsPage>(url);
    if (status !== 200) throw new Error(`GET ${url} answered ${status}`);
    events.push(...body.events);
    after = body.seq;
    if (body.finished) return events;
  }
  throw new Error(`session ${sessionId} did not finish; got ${events.length} events`);
}

/**
 * Cancels a build through the API as a user does and waits for its end, which must be
 * `cancelled` by that request; returns its whole log.
 */
export async function cancelByRequest(
  apiUrl: string,
  projectId: string,
  sessionId: string,
): Promise<BuildEvent[]> {
  const url = `${apiUrl}/projects/${projectId}/builds/${sessionId}/cancel`;
  const { status } = await request(url, { method: 'POST' });
  if (status !== 202) throw new Error(`POST ${url} answered ${status}`);
  const events = await pollUntilFinished(apiUrl, projectId, sessionId);
  const end = events.at(-1);
  if (
    end?.type !== 'session.finished' ||
    end.data.status !== 'cancelled' ||
    end.data.error !== 'Cancelled by request'
  ) {
    throw new Error(`session ${sessionId} ended otherwise after the cancel: ${JSON.stringify(end)}`);
  }
  return events;
}

/** Waits until `check` returns a value (polling every 50 ms), failing after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The pids the fake agent of a build wrote into its working directory. */
export function fakeAgentPids(workRoot: string, sessionId: string): Promise<number[]> {
  return eventually(async () => {
    try {
      const text = await readFile(path.join(workRoot, sessionId, 'pids.json'), 'utf8');
      return (JSON.parse(text) as { pids: number[] }).pids;
    } catch {
      return undefined; // not written yet
    }
  }, `the fake agent of ${sessionId} to start`);
}

/** False once the process is gone (a zombie waiting for its reaper counts as gone). */
export async function isAlive(pid: number): Promise<boolean> {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false; // gone between the two checks
  }
}

/**
 * The live processes whose working directory is `directory` (a live agent's build directory):
 * how a test finds a real CLI, which says nothing of its pids, and whatever it started there.
 */
export async function processesWorkingIn(directory: string): Promise<number[]> {
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if ((await readlink(`/proc/${entry}/cwd`)) !== directory) continue;
    } catch {
      continue; // gone meanwhile, or another user's
    }
    if (await isAlive(Number(entry))) pids.push(Number(entry));
  }
  return pids;
}

/** Ends processes a test left behind (the fake agent of a killed worker). */
export function killAll(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      continue; // already gone
    }
  }
}

/** The fold of a whole log over the session as it was queued: what the snapshot must equal. */
export function foldFromQueued(snapshot: Snapshot, events: BuildEvent[]): Snapshot {
  const queued = {
    ...snapshot.session,
    status: 'queued' as const,
    model: null,
    startedAt: null,
    endedAt: null,
    error: null,
    usage: null,
  };
  return events.reduce(applyEvent, emptySnapshot(queued));
}
