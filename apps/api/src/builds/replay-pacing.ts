import type { TranscriptParser } from '#transcripts';

/**
 * How long a build's pacing sleeps in all, as the runner-worker plays it: replayTranscript
 * waits `intervalMs` between played lines and once after the last (so once per played line),
 * and playDemo stretches its script to `intervalMs` per step on average (so once per step).
 */
export function pacingMs(steps: number, intervalMs: number): number {
  return steps * intervalMs;
}

/** The most steps whose pacing fits in `maxMs` (every count fits at an interval of 0). */
export function maxPacedSteps(intervalMs: number, maxMs: number): number {
  return intervalMs <= 0 ? Infinity : Math.floor(maxMs / intervalMs);
}

/**
 * The transcript lines replayTranscript plays, and so paces: the non-blank lines for which the
 * parser produces events (its final `end()` is not paced). Stops counting past `stopAfter`.
 */
export function playedLines(transcript: string, parser: TranscriptParser, stopAfter = Infinity): number {
  let played = 0;
  for (const line of transcript.split('\n')) {
    if (line.trim() === '') continue;
    if (parser.parseLine(line.endsWith('\r') ? line.slice(0, -1) : line).length > 0) played++;
    if (played > stopAfter) break;
  }
  return played;
}

/**
 * Whether a replay would play more than `maxSteps` lines. Non-blank lines bound the count
 * from above, so a transcript that fits by that bound is not parsed at all; otherwise parsing
 * stops at the first line past the limit.
 */
export function playsMoreLinesThan(
  transcript: string,
  maxSteps: number,
  parser: () => TranscriptParser,
): boolean {
  if (countNonBlankLines(transcript, maxSteps) <= maxSteps) return false;
  return playedLines(transcript, parser(), maxSteps) > maxSteps;
}

function countNonBlankLines(transcript: string, stopAfter: number): number {
  let count = 0;
  for (let start = 0; start <= transcript.length && count <= stopAfter;) {
    const end = transcript.indexOf('\n', start);
    const stop = end === -1 ? transcript.length : end;
    if (transcript.slice(start, stop).trim() !== '') count++;
    start = stop + 1;
  }
  return count;
}
