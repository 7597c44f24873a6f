import type { ConnectionStatus } from '#client';
import { Link, paths } from '../routing/router.js';

const LABELS: Record<ConnectionStatus, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  polling: 'Live updates paused, polling',
  offline: 'Offline — showing last known state',
  error: 'Connection failed',
  'signed-out': 'Signed out',
};

/**
 * Top-right: says how fresh the page is. Hidden while live (and while first connecting,
 * which is quick and needs no alarm); it stays in the DOM with `data-state` for tests.
 */
export function ConnectionPill(props: {
  status: ConnectionStatus;
  error: string | null;
  /** Left out where asking again cannot help (the project or build does not exist). */
  onRetry?: () => void;
}) {
  const { status, error } = props;
  const quiet = status === 'live' || status === 'connecting';
  return (
    <div
      className={`pill pill-${status}`}
      data-testid="connection-status"
      data-state={status}
      role="status"
      aria-live="polite"
      hidden={quiet}
    >
      <span className="pill-dot" aria-hidden="true" />
      <span>{LABELS[status]}</span>
      {status === 'error' && (
        <>
          {error && <span className="pill-detail">{error}</span>}
          {props.onRetry && (
            <button type="button" className="pill-retry" onClick={props.onRetry}>
              Retry
            </button>
          )}
        </>
      )}
      {status === 'signed-out' && (
        <Link to={paths.signIn()} className="pill-retry">
          Sign in
        </Link>
      )}
    </div>
  );
}
