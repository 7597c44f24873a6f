/**
 * How long to wait before the replay's batch number `index` (0: the first, which goes at
 * once), so that batch `index` goes `index × intervalMs` after the first: a schedule, not a
 * sleep after each batch. Sleeping the interval after each batch would add every batch's
 * own time (the parsing, the wait for room in the log, the timer's lateness on a busy
 * machine) to the interval, and a replay meant to run at 10 events/s ran at about 6.
 * Behind the schedule, the next batch goes at once, until the replay is on time again.
 */
export function replayDelay(startedAt: number, index: number, intervalMs: number, now: number): number {
  return Math.max(0, startedAt + index * intervalMs - now);
}
