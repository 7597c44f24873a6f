import { setTimeout as sleep } from 'node:timers/promises';
import type { NewBuildEvent } from '#contracts';
import type { TranscriptParser } from '#transcripts';

/**
 * Plays a transcript line by line. Lines that produce no events (token deltas, status
 * lines) are not yielded and cost no time, so `intervalMs` paces what people see.
 * On abort it stops without `end()`: the runner decides how a stopped build ends.
 */
export async function* replayTranscript(
  transcript: string,
  parser: TranscriptParser,
  intervalMs: number,
  signal: AbortSignal,
): AsyncGenerator<NewBuildEvent[]> {
  let first = true;
  for (const line of transcript.split('\n')) {
    if (signal.aborted) return;
    if (line.trim() === '') continue;
    const events = parser.parseLine(line.endsWith('\r') ? line.slice(0, -1) : line);
    if (events.length === 0) continue;
    if (!first && intervalMs > 0) {
      await sleep(intervalMs, undefined, { signal }).catch(() => undefined); // aborted: checked below
      if (signal.aborted) return;
    }
    first = false;
    yield events;
  }
  if (!first && intervalMs > 0) await sleep(intervalMs, undefined, { signal }).catch(() => undefined);
  if (signal.aborted) return;
  yield parser.end();
}
