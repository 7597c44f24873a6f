import { setTimeout as sleep } from 'node:timers/promises';
import type { NewBuildEvent } from '#contracts';
import type { TranscriptParser } from '#transcripts';
import { replayDelay } from './replay-pace.js';

/**
 * Plays a transcript line by line. Lines that produce no events (token deltas, status
 * lines) are not yielded and cost no time, so `intervalMs` paces what people see: batch n
 * goes n intervals after the first (replayDelay). On abort it stops without `end()`: the
 * runner decides how a stopped build ends.
 */
export async function* replayTranscript(
  transcript: string,
  parser: TranscriptParser,
  intervalMs: number,
  signal: AbortSignal,
): AsyncGenerator<NewBuildEvent[]> {
  let startedAt = 0;
  let batches = 0;
  const paced = async () => {
    if (batches === 0) startedAt = performance.now();
    const delay = intervalMs > 0 ? replayDelay(startedAt, batches, intervalMs, performance.now()) : 0;
    batches += 1;
    if (delay > 0) await sleep(delay, undefined, { signal }).catch(() => undefined); // aborted: checked below
  };
  for (const line of transcript.split('\n')) {
    if (signal.aborted) return;
    if (line.trim() === '') continue;
    const events = parser.parseLine(line.endsWith('\r') ? line.slice(0, -1) : line);
    if (events.length === 0) continue;
    await paced();
    if (signal.aborted) return;
    yield events;
  }
  if (batches > 0) await paced();
  if (signal.aborted) return;
  yield parser.end();
}
