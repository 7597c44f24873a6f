import type { SessionSummaryInfo } from '#client';
import { StatusBadge } from '../components/status-badge.js';
import { formatRelative } from '../format/format.js';
import { useNow } from '../watch/use-watch.js';

/** How often "x minutes ago" is brought up to date. */
export const RELATIVE_TICK_MS = 30_000;

/** One build in a line: status, percent, when, and its prompt (cut to one line). */
export function BuildStatusLine(props: { build: SessionSummaryInfo; testId?: string }) {
  const { build } = props;
  const now = useNow(true, RELATIVE_TICK_MS);
  return (
    <span
      className="build-line"
      data-testid={props.testId}
      data-status={build.status}
      data-session-id={build.id}
    >
      <StatusBadge status={build.status} />
      <span className="build-line-percent">{build.progress.percent} %</span>
      <span className="muted">
        <RelativeTime date={build.createdAt} now={now} />
      </span>
      {build.prompt && <span className="one-line muted">{build.prompt}</span>}
    </span>
  );
}

/** "3 minutes ago", with the exact time on hover and for assistive technology. */
export function RelativeTime(props: { date: Date; now: number }) {
  return (
    <time dateTime={props.date.toISOString()} title={props.date.toLocaleString()}>
      {formatRelative(props.date, props.now)}
    </time>
  );
}
