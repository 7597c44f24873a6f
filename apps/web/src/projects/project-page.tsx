import type { SessionSummaryInfo } from '#client';
import { isFinishedStatus } from '#contracts';
import { api } from '../api/api.js';
import { useAction, useRequest } from '../api/use-request.js';
import { ConnectionPill } from '../components/connection-pill.js';
import { FormError } from '../components/form-error.js';
import { ProgressBar } from '../components/progress-bar.js';
import { StatusBadge } from '../components/status-badge.js';
import { elapsed, formatDuration, formatTime } from '../format/format.js';
import { Link, navigate, paths } from '../routing/router.js';
import { SignInPrompt } from '../session/session-bar.js';
import { useNow, useProjectWatch } from '../watch/use-watch.js';
import { ReplayForm } from './replay-form.js';

/** `/projects/:projectId`: the project's builds, live, and the ways to start one. */
export function ProjectPage(props: { projectId: string }) {
  const { projectId } = props;
  const {
    value: project,
    error: projectError,
    signedOut,
  } = useRequest(() => api.getProject(projectId), projectId);
  const watch = useProjectWatch(projectId);

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
      {watch && <ConnectionPill status={watch.status} error={watch.error} onRetry={() => watch.retry()} />}
      <nav className="breadcrumbs">
        <Link to={paths.projects()}>Projects</Link> <span aria-hidden="true">/</span> {project?.name ?? '…'}
      </nav>
      <header className="page-header page-header-row">
        <h1>{project?.name ?? 'Project'}</h1>
        <StartDemoButton projectId={projectId} />
      </header>
      <section>
        <h2>Builds</h2>
        <BuildList projectId={projectId} sessions={watch?.sessions ?? null} />
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

function BuildList(props: { projectId: string; sessions: SessionSummaryInfo[] | null }) {
  const { sessions } = props;
  const now = useNow(sessions?.some((session) => !isFinishedStatus(session.status)) ?? false);
  if (sessions === null) return <p className="muted">Loading builds…</p>;
  if (sessions.length === 0)
    return <p className="empty">No builds yet. Start a demo build, or replay a transcript below.</p>;
  return (
    <table className="builds" data-testid="build-list">
      <thead>
        <tr>
          <th>Status</th>
          <th>Progress</th>
          <th>Agent</th>
          <th>Model</th>
          <th>Started</th>
          <th>Duration</th>
        </tr>
      </thead>
      <tbody>
        {sessions.map((session) => {
          const duration = elapsed(session.startedAt, session.endedAt, now);
          return (
            <tr
              key={session.id}
              className="row-clickable"
              data-testid="build-row"
              data-session-id={session.id}
              data-status={session.status}
              onClick={() => navigate(paths.build(props.projectId, session.id))}
            >
              <td>
                <Link to={paths.build(props.projectId, session.id)} className="row-link">
                  <StatusBadge status={session.status} />
                </Link>
              </td>
              <td className="cell-progress">
                <ProgressBar
                  small
                  percent={session.progress.percent}
                  tone={session.status}
                  label={`${session.progress.percent} %`}
                />
                <span className="muted">{session.progress.percent} %</span>
              </td>
              <td>{session.agentId}</td>
              <td>{session.model ?? '—'}</td>
              <td>{formatTime(session.startedAt ?? session.createdAt)}</td>
              <td>{duration === null ? '—' : formatDuration(duration)}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
