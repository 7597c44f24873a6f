// The runner's CPU per event upstream of the append: transcript lines → parser →
// SessionRecorder (group commit), as the ingest bench's replay drives them, into a BuildLog
// that commits nothing (each append resolves after BENCH_APPEND_MS). Without Postgres, Redis
// and the sockets, the figure is the replay → record path alone, and far less noisy.
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { AppendResult, NewBuildEvent } from '#contracts';
import type { BuildLog } from '#bus';
import { benchTranscript, replayInto } from './runner-appender.js';

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 50);
const EVENTS = Number(process.env.BENCH_REPLAY_EVENTS ?? 2_000);
const ROUNDS = Number(process.env.BENCH_REPLAY_ROUNDS ?? 6);
const APPEND_MS = Number(process.env.BENCH_APPEND_MS ?? 1);

/** Takes every append as committed, after APPEND_MS. */
function stubLog(): BuildLog {
  let seq = 0;
  return {
    append: async (sessionId: string, events: NewBuildEvent[]): Promise<AppendResult> => {
      await sleep(APPEND_MS);
      const fromSeq = seq + 1;
      seq += events.length;
      return { sessionId, fromSeq, toSeq: seq } as AppendResult;
    },
  } as BuildLog;
}

async function round(transcripts: string[]): Promise<{ events: number; seconds: number; cpuUs: number }> {
  let events = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    transcripts.map(async (transcript, index) => {
      const recorder = await replayInto(stubLog(), `s${index}`, transcript, 'replay cpu bench');
      events += recorder.seq;
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const { user, system } = process.cpuUsage(cpu);
  return { events, seconds, cpuUs: user + system };
}

async function main() {
  const transcripts = Array.from({ length: SESSIONS }, (_, index) => benchTranscript(`r${index}`, EVENTS));
  console.log(`${SESSIONS} sessions × ${EVENTS} events, appends of ${APPEND_MS} ms`);
  console.log('| round | events | seconds | CPU µs per event |');
  console.log('|---:|---:|---:|---:|');
  for (let n = 1; n <= ROUNDS; n++) {
    const { events, seconds, cpuUs } = await round(transcripts);
    console.log(
      `| ${n} | ${events.toLocaleString('en')} | ${seconds.toFixed(2)} | ${(cpuUs / events).toFixed(2)} |`,
    );
  }
}

await main();
