import type { ProjectWatch, SessionSummaryInfo } from '#client';
import { isFinishedStatus } from '#contracts';
import { api } from '../api/api.js';
import { useAction, useRequest } from '../api/use-request.js';
import { ConnectionPill } from '../components/connection-pill.js';
import { FormError } from '../components/form-error.js';
import { LoadMoreButton } from '../components/load-more-button.js';
import { NotFound } from '../components/not-found.js';
import { ProgressBar } from '../components/progress-bar.js';
import { StatusBadge } from '../components/status-badge.js';
import { elapsed, formatDuration } from '../format/format.js';
import { Link, navigate, paths } from '../routing/router.js';
import { SignInPrompt } from '../session/session-bar.js';
import { useNow, useProjectWatch } from '../watch/use-watch.js';
import { RELATIVE_TICK_MS, RelativeTime } from './build-status-line.js';
import { ReplayForm } from './replay-form.js';

/** Builds that "Run again" can repeat: their whole request is stored and needs no live agent. */
const REPEATABLE = new Set(['demo', 'replay']);

/** `/projects/:projectId`: the project's builds, live, a page at a time, and the ways to start one. */
export function ProjectPage(props: { projectId: string }) {
  const { projectId } = props;
  const {
    value: project,
    error: projectError,
    signedOut,
    notFound,
  } = useRequest(() => api.getProject(projectId), projectId);
  const watch = useProjectWatch(projectId);

  if (notFound || watch?.notFound) return <NotFound what="project" reason="unknown" />;
  if (projectError) {
    return (
      <main className="page">
        {signedOut ? (
          <SignInPrompt what="this project" />
        ) : (
          <p className="alert alert-error">Could not open this project: {projectError}</p>
        )}
        <Link to={paths.projects()}>← All projects</Link>
      </main>
    );
  }

  return (
    <main className="page">
      {watch && (
        <ConnectionPill
          status={watch.status}
          error={watch.error}
          onRetry={watch.notFound ? undefined : () => watch.retry()}
        />
      )}
      <nav className="breadcrumbs">
        <Link to={paths.projects()}>Projects</Link> <span aria-hidden="true">/</span> {project?.name ?? '…'}
      </nav>
      <header className="page-header page-header-row">
        <h1>{project?.name ?? 'Project'}</h1>
        <StartDemoButton projectId={projectId} />
      </header>
      <section>
        <h2>Builds</h2>
        <BuildList projectId={projectId} watch={watch} />
      </section>
      <ReplayForm projectId={projectId} />
    </main>
  );
}

function StartDemoButton(props: { projectId: string }) {
  const { busy, error, run } = useAction();
  const start = () =>
    run(async () => {
      const { sessionId } = await api.startBuild(props.projectId, { agent: 'demo' });
      navigate(paths.build(props.projectId, sessionId));
    });
  return (
    <div className="actions">
      <button type="button" className="button button-primary" disabled={busy} onClick={() => void start()}>
        {busy ? 'Starting…' : 'Start demo build'}
      </button>
      <FormError error={error} />
    </div>
  );
}

function BuildList(props: { projectId: string; watch: ProjectWatch | null }) {
  const sessions = props.watch?.sessions ?? null;
  const running = sessions?.some((session) => !isFinishedStatus(session.status)) ?? false;
  // Running durations tick every second; otherwise only "x minutes ago" moves.
  const now = useNow(true, running ? 1000 : RELATIVE_TICK_MS);
  if (sessions === null) return <p className="muted">Loading builds…</p>;
  if (sessions.length === 0)
    return <p className="empty">No builds yet. Start a demo build, or replay a transcript below.</p>;
  return (
    <>
      <table className="builds" data-testid="build-list">
        <thead>
          <tr>
            <th>Status</th>
            <th>Build</th>
            <th>Agent</th>
            <th>Started</th>
            <th>Duration</th>
            <th>
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {sessions.map((session) => (
            <BuildRow key={session.id} projectId={props.projectId} session={session} now={now} />
          ))}
        </tbody>
      </table>
      {props.watch?.hasMore && (
        <LoadMoreButton
          label="Load older builds"
          testId="load-more-builds"
          load={() => props.watch!.loadMore()}
        />
      )}
    </>
  );
}

function BuildRow(props: { projectId: string; session: SessionSummaryInfo; now: number }) {
  const { session, projectId } = props;
  const duration = elapsed(session.startedAt, session.endedAt, props.now);
  const to = paths.build(projectId, session.id);
  return (
    <tr
      className="row-clickable"
      data-testid="build-row"
      data-session-id={session.id}
      data-status={session.status}
      onClick={() => navigate(to)}
    >
      <td className="cell-status">
        <Link to={to} className="row-link">
          <StatusBadge status={session.status} />
        </Link>
      </td>
      <td className="cell-build">
        <span className="cell-progress">
          <ProgressBar
            small
            percent={session.progress.percent}
            tone={session.status}
            label={`${session.progress.percent} %`}
          />
          <span className="muted">{session.progress.percent} %</span>
        </span>
        {session.prompt && (
          <span className="one-line" data-testid="build-prompt" title={session.prompt}>
            {session.prompt}
          </span>
        )}
        {session.error && (
          <span className="one-line build-row-error" data-testid="build-row-error" title={session.error}>
            {session.error}
          </span>
        )}
      </td>
      <td className="cell-agent">
        {session.agentId}
        {session.model && <span className="muted"> · {session.model}</span>}
      </td>
      <td className="cell-started" data-testid="build-started">
        <RelativeTime date={session.createdAt} now={props.now} />
      </td>
      <td className="cell-duration" data-testid="build-duration">
        {duration === null ? '—' : formatDuration(duration)}
      </td>
      <td className="cell-actions">
        {REPEATABLE.has(session.agent) && <RunAgainButton projectId={projectId} sessionId={session.id} />}
      </td>
    </tr>
  );
}

function RunAgainButton(props: { projectId: string; sessionId: string }) {
  const { busy, error, run } = useAction();
  const runAgain = () =>
    run(async () => {
      const { sessionId } = await api.runAgain(props.projectId, props.sessionId);
      navigate(paths.build(props.projectId, sessionId));
    });
  return (
    <span className="actions">
      <button
        type="button"
        className="button button-small"
        data-testid="run-again"
        disabled={busy}
        // The row opens the build on click: this button starts another instead.
        onClick={(event) => {
          event.stopPropagation();
          void runAgain();
        }}
      >
        {busy ? 'Starting…' : 'Run again'}
      </button>
      {error && <span className="form-error">{error}</span>}
    </span>
  );
}
