/** Text for people: durations, times and short summaries of tool inputs. */

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} m ${String(Math.floor(seconds % 60)).padStart(2, '0')} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} m`;
}

// Made once: an Intl formatter costs far more to make than to use (a long build formats thousands of times).
const CLOCK_TIME = new Intl.DateTimeFormat(undefined, {
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
});
const DATE_TIME = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const FULL_DATE_TIME = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const RELATIVE = new Intl.RelativeTimeFormat('en', { numeric: 'auto' });

export function formatTime(date: Date): string {
  const sameDay = date.toDateString() === new Date().toDateString();
  return sameDay ? CLOCK_TIME.format(date) : DATE_TIME.format(date);
}

/** The date and the time to the second, in the reader's locale. */
export function formatFullTime(date: Date): string {
  return FULL_DATE_TIME.format(date);
}

const RELATIVE_UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ['year', 365 * 24 * 3600_000],
  ['month', 30 * 24 * 3600_000],
  ['week', 7 * 24 * 3600_000],
  ['day', 24 * 3600_000],
  ['hour', 3600_000],
  ['minute', 60_000],
];

/** "3 minutes ago", "yesterday", "just now": the largest whole unit, in English. */
export function formatRelative(date: Date, now: number): string {
  const ago = now - date.getTime();
  for (const [unit, ms] of RELATIVE_UNITS) {
    if (Math.abs(ago) >= ms) return RELATIVE.format(-Math.trunc(ago / ms), unit);
  }
  return 'just now';
}

/** The time a build took, or has taken so far. */
export function elapsed(startedAt: Date | null, endedAt: Date | null, now: number): number | null {
  if (!startedAt) return null;
  return (endedAt?.getTime() ?? now) - startedAt.getTime();
}

/** Keys that say best what a tool call does, in the order they are looked for. */
const SUMMARY_KEYS = ['command', 'file_path', 'pattern', 'path', 'query', 'url', 'description', 'prompt'];
const SUMMARY_LENGTH = 90;

export function summarizeInput(input: unknown): string {
  const text = pickSummary(input).replace(/\s+/g, ' ').trim();
  return text.length > SUMMARY_LENGTH ? `${text.slice(0, SUMMARY_LENGTH - 1)}…` : text;
}

function pickSummary(input: unknown): string {
  if (input === null || input === undefined) return '';
  if (typeof input === 'string') return input;
  if (typeof input === 'number' || typeof input === 'boolean') return String(input);
  if (typeof input !== 'object') return '';
  const record = input as Record<string, unknown>;
  for (const key of SUMMARY_KEYS) {
    const value = record[key];
    if (typeof value === 'string' && value) return value;
    if (Array.isArray(value) && value.every((part) => typeof part === 'string')) return value.join(' ');
  }
  const firstString = Object.values(record).find((value) => typeof value === 'string');
  return typeof firstString === 'string' ? firstString : JSON.stringify(input);
}

export function prettyJson(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}

const COMPACT = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });

/** Token counts as people read them: 956, 225.4K, 1.8M. */
export function formatTokens(count: number): string {
  return COMPACT.format(count);
}

/** US dollars, to the cent; a cost under a cent is not shown as free. */
export function formatCost(usd: number): string {
  if (usd > 0 && usd < 0.01) return '< $0.01';
  return `$${usd.toFixed(2)}`;
}
