import type { SessionStatus } from '#contracts';

/** The session status as a coloured badge; its text is exactly the status (`title`: why it ended). */
export function StatusBadge(props: { status: SessionStatus; testId?: string; title?: string }) {
  return (
    <span className={`badge tone-${props.status}`} data-testid={props.testId} title={props.title}>
      {props.status === 'running' && <span className="spinner" aria-hidden="true" />}
      {props.status}
    </span>
  );
}
