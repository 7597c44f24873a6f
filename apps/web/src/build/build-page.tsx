import { useEffect, useState } from 'react';
import type { BuildView } from '#client';
import { isFinishedStatus, readUsage } from '#contracts';
import { api } from '../api/api.js';
import { useAction } from '../api/use-request.js';
import { ConnectionPill } from '../components/connection-pill.js';
import { NotFound } from '../components/not-found.js';
import { useDocumentStatus } from '../document/use-document-status.js';
import { ProgressBar } from '../components/progress-bar.js';
import { StatusBadge } from '../components/status-badge.js';
import { elapsed, formatCost, formatDuration, formatTime, formatTokens } from '../format/format.js';
import { Link, paths } from '../routing/router.js';
import { SignInPrompt } from '../session/session-bar.js';
import { useBuildWatch, useNow } from '../watch/use-watch.js';
import { AuditLine } from './audit-line.js';
import { BuildTools } from './build-tools.js';
import type { CallFilter } from './call-filter.js';
import { endReason } from './end-reason.js';
import { TodoList } from './todo-list.js';
import { useDeepLink } from './use-deep-link.js';
import { useFollow } from './use-follow.js';

/** `/projects/:projectId/builds/:sessionId`: one build, live. */
export function BuildPage(props: { projectId: string; sessionId: string }) {
  const watch = useBuildWatch(props.projectId, props.sessionId);
  const build = watch?.state ?? null;
  const running = build !== null && !isFinishedStatus(build.session.status);
  const now = useNow(running);
  const target = useDeepLink();
  const [filter, setFilter] = useState<CallFilter>({ failedOnly: false, query: '' });
  // A deep link is the reader's choice of place: the page does not follow away from it.
  const follow = useFollow(running, build?.seq ?? 0, target === null);
  const { stop: stopFollowing } = follow;
  useEffect(() => {
    if (target !== null) stopFollowing();
  }, [target, stopFollowing]);
  useDocumentStatus(
    build && {
      status: build.session.status,
      percent: build.session.progress.percent,
      projectName: build.session.projectName,
    },
  );

  if (watch?.notFound) return <NotFound what="build" reason="unknown" />;
  return (
    <main className="page">
      {watch && <ConnectionPill status={watch.status} error={watch.error} onRetry={() => watch.retry()} />}
      <nav className="breadcrumbs">
        <Link to={paths.projects()}>Projects</Link> <span aria-hidden="true">/</span>{' '}
        <Link to={paths.project(props.projectId)}>{build?.session.projectName ?? 'Project'}</Link>{' '}
        <span aria-hidden="true">/</span> Build {props.sessionId.slice(0, 8)}
      </nav>
      {build === null ? (
        watch?.status === 'error' ? (
          <p className="alert alert-error">Could not load this build: {watch.error}</p>
        ) : watch?.status === 'signed-out' ? (
          <SignInPrompt what="this build" />
        ) : (
          <p className="muted">Loading build…</p>
        )
      ) : (
        <>
          <BuildHeader build={build} now={now} />
          <BuildTools
            projectId={props.projectId}
            sessionId={props.sessionId}
            failedCount={build.toolCalls.filter((call) => call.status === 'failed').length}
            filter={filter}
            onFilter={setFilter}
          />
          <TodoList build={build} now={now} filter={filter} target={target} />
          {running && !follow.following && (
            <button type="button" className="jump-to-live" data-testid="jump-to-live" onClick={follow.jump}>
              ↓ Jump to live
            </button>
          )}
        </>
      )}
    </main>
  );
}

function BuildHeader(props: { build: BuildView; now: number }) {
  const { session } = props.build;
  const { progress } = session;
  const duration = elapsed(session.startedAt, session.endedAt, props.now);
  const reason = endReason(session);
  return (
    <header className="card build-header">
      <div className="build-title">
        <h1>{session.projectName}</h1>
        <StatusBadge status={session.status} testId="build-status" title={reason ?? undefined} />
        {reason && (
          <span className="end-reason" data-testid="end-reason">
            {reason}
          </span>
        )}
        {!isFinishedStatus(session.status) && (
          <CancelButton projectId={session.projectId} sessionId={session.id} />
        )}
      </div>
      <dl className="build-meta">
        <div>
          <dt>Agent</dt>
          <dd data-testid="agent-id">{session.agentId}</dd>
        </div>
        <div>
          <dt>Model</dt>
          <dd data-testid="model">{session.model ?? '—'}</dd>
        </div>
        <div>
          <dt>Started</dt>
          <dd>{session.startedAt ? formatTime(session.startedAt) : 'not yet'}</dd>
        </div>
        <div>
          <dt>Duration</dt>
          <dd data-testid="duration">{duration === null ? '—' : formatDuration(duration)}</dd>
        </div>
        <Usage usage={session.usage} />
      </dl>
      <AuditLine build={props.build} />
      {session.prompt && (
        <p className="prompt" data-testid="prompt">
          {session.prompt}
        </p>
      )}
      <div className="progress-row">
        <ProgressBar
          percent={progress.percent}
          tone={session.status}
          label="Build progress"
          testId="progress"
        />
        <span className="progress-text">
          {progress.percent} % · {progress.completed} of {progress.total} todos
        </span>
      </div>
      {session.error && (
        <p className="alert alert-error" data-testid="build-error" role="alert">
          {session.error}
        </p>
      )}
    </header>
  );
}

/** Tokens and cost, when the agent reported them (`session.finished.usage`): one group of the list. */
function Usage(props: { usage: Record<string, unknown> | null }) {
  const figures = readUsage(props.usage);
  if (!figures) return null;
  const parts = [
    figures.inputTokens !== null && `${formatTokens(figures.inputTokens)} tokens in`,
    figures.outputTokens !== null && `${formatTokens(figures.outputTokens)} out`,
    figures.costUsd !== null && formatCost(figures.costUsd),
  ].filter((part) => part !== false);
  return (
    <div data-testid="usage">
      <dt>Usage</dt>
      <dd>{parts.join(' · ')}</dd>
    </div>
  );
}

function CancelButton(props: { projectId: string; sessionId: string }) {
  const { busy, error, run } = useAction();
  // The build page shows `cancelled` when the session.finished event arrives.
  const cancel = () => run(() => api.cancelBuild(props.projectId, props.sessionId));
  return (
    <span className="actions">
      <button type="button" className="button button-secondary" disabled={busy} onClick={() => void cancel()}>
        {busy ? 'Cancelling…' : 'Cancel build'}
      </button>
      {error && <span className="form-error">{error}</span>}
    </span>
  );
}
