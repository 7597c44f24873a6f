import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import type { NewBuildEvent } from '#contracts';
import type { TranscriptParser } from '#transcripts';
import { replayDelay } from './replay-pace.js';

/**
 * How many events an unpaced replay gathers into one batch (a line's events are never split,
 * so a batch may pass it by one line's worth): each batch costs one step of the replay, one
 * `record()` and one trace span, instead of each line.
 */
export const UNPACED_BATCH_EVENTS = 256;

/**
 * Plays a transcript. Paced (`intervalMs` > 0), line by line: lines that produce no events
 * (token deltas, status lines) are not yielded and cost no time, so `intervalMs` paces what
 * people see: batch n goes n intervals after the first (replayDelay). Unpaced, consecutive
 * lines' events go in batches (unpacedBatches), each after a turn of the event loop so the
 * other sessions, timers and I/O get theirs. On abort it stops without `end()`: the runner
 * decides how a stopped build ends.
 */
export async function* replayTranscript(
  transcript: string,
  parser: TranscriptParser,
  intervalMs: number,
  signal: AbortSignal,
): AsyncGenerator<NewBuildEvent[]> {
  if (signal.aborted) return;
  if (intervalMs <= 0) {
    for (const batch of unpacedBatches(transcript, parser, UNPACED_BATCH_EVENTS)) {
      yield batch;
      await nextTurn();
      if (signal.aborted) return; // before the next batch is parsed (and the last one ends the parser)
    }
    return;
  }
  let startedAt = 0;
  let batches = 0;
  const paced = async () => {
    if (batches === 0) startedAt = performance.now();
    const delay = replayDelay(startedAt, batches, intervalMs, performance.now());
    batches += 1;
    if (delay > 0) await sleep(delay, undefined, { signal }).catch(() => undefined); // aborted: checked below
  };
  for (const events of lineEvents(transcript, parser)) {
    await paced();
    if (signal.aborted) return;
    yield events;
    if (signal.aborted) return; // before the next line is parsed
  }
  if (batches > 0) await paced();
  if (signal.aborted) return;
  yield parser.end();
}

/** The events of each line that produces any, in order. */
function* lineEvents(transcript: string, parser: TranscriptParser): Generator<NewBuildEvent[]> {
  for (const line of transcript.split('\n')) {
    if (line.trim() === '') continue;
    const events = parser.parseLine(line.endsWith('\r') ? line.slice(0, -1) : line);
    if (events.length > 0) yield events;
  }
}

/**
 * The transcript's events then the closing ones, in batches of consecutive lines' events, each
 * closed once it holds `maxEvents` or more. Lazy: a batch's lines are parsed when it is asked
 * for, and `end()` is called only when the last batch is.
 */
export function* unpacedBatches(
  transcript: string,
  parser: TranscriptParser,
  maxEvents: number,
): Generator<NewBuildEvent[]> {
  let batch: NewBuildEvent[] = [];
  for (const events of lineEvents(transcript, parser)) {
    for (const event of events) batch.push(event);
    if (batch.length >= maxEvents) {
      yield batch;
      batch = [];
    }
  }
  for (const event of parser.end()) batch.push(event);
  yield batch;
}
