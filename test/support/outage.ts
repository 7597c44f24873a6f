import type { BuildEvent, Snapshot, StartBuildResponse } from '#contracts';
import { eventually, pollUntilFinished } from './builds.js';
import { request } from './stack.js';

/** A buildcast-ndjson transcript of `messages` assistant messages between a todo list's start and end. */
export function slowTranscript(messages: number): string {
  const todos = (status: string) => ({
    type: 'todos.updated',
    data: { todos: [{ content: 'Wait', activeForm: 'Waiting', status }] },
  });
  const lines = [todos('in_progress')];
  for (let i = 1; i <= messages; i++) lines.push({ type: 'message', data: { text: `step ${i}` } } as never);
  lines.push(todos('completed'));
  return lines.map((line) => JSON.stringify(line)).join('\n');
}

/** Starts a buildcast-ndjson replay in the project of `builds` (its `…/builds` URL); returns the session id. */
export async function startReplay(
  builds: string,
  transcript: string,
  eventIntervalMs: number,
): Promise<string> {
  const started = await request<StartBuildResponse>(builds, {
    body: { agent: 'replay', format: 'buildcast-ndjson', transcript, eventIntervalMs },
  });
  if (started.status !== 202) throw new Error(`POST /builds answered ${started.status}`);
  return started.body.sessionId;
}

/** The snapshot, or undefined while the API cannot answer it (an outage, a refused request). */
async function snapshotIfAnswered(builds: string, sessionId: string): Promise<Snapshot | undefined> {
  const answer = await request<Snapshot>(`${builds}/${sessionId}`).catch(() => undefined);
  return answer?.status === 200 ? answer.body : undefined;
}

/** The build's snapshot once its status is one of `statuses` (any final status by default). */
export function snapshotOnce(
  builds: string,
  sessionId: string,
  statuses: readonly string[] = ['completed', 'failed', 'cancelled', 'interrupted'],
  timeoutMs = 60_000,
): Promise<Snapshot> {
  return eventually(
    async () => {
      const snapshot = await snapshotIfAnswered(builds, sessionId);
      return snapshot && statuses.includes(snapshot.session.status) ? snapshot : undefined;
    },
    `build ${sessionId} to be ${statuses.join(' or ')}`,
    timeoutMs,
  );
}

/** Waits until the build has committed at least `seq` events (answers during an outage count as not yet). */
export function seqReached(
  builds: string,
  sessionId: string,
  seq: number,
  timeoutMs = 60_000,
): Promise<number> {
  return eventually(
    async () => {
      const snapshot = await snapshotIfAnswered(builds, sessionId);
      return snapshot && snapshot.seq >= seq ? snapshot.seq : undefined;
    },
    `build ${sessionId} to reach seq ${seq}`,
    timeoutMs,
  );
}

/** The whole log of a finished build, checked well-formed: seqs 1..N without a gap, `session.finished` last and once. */
export async function finishedLog(apiUrl: string, builds: string, sessionId: string): Promise<BuildEvent[]> {
  const projectId = new URL(builds).pathname.split('/').at(-2)!;
  const events = await pollUntilFinished(apiUrl, projectId, sessionId);
  const seqs = events.map((event) => event.seq);
  if (seqs.some((seq, index) => seq !== index + 1)) throw new Error(`gap in ${sessionId}: ${seqs.join(',')}`);
  const finished = events.filter((event) => event.type === 'session.finished');
  if (finished.length !== 1 || events.at(-1)!.type !== 'session.finished') {
    throw new Error(`build ${sessionId} does not end with one session.finished`);
  }
  return events;
}
