import type { SessionStatus } from '#contracts';

/** The session status as a coloured badge; its text is exactly the status. */
export function StatusBadge(props: { status: SessionStatus; testId?: string }) {
  return (
    <span className={`badge tone-${props.status}`} data-testid={props.testId}>
      {props.status === 'running' && <span className="spinner" aria-hidden="true" />}
      {props.status}
    </span>
  );
}
