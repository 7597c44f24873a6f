import { useState, type FormEvent } from 'react';
import type { ProjectListItem } from '#contracts';
import { api } from '../api/api.js';
import { useAction, useRequest } from '../api/use-request.js';
import { FormError } from '../components/form-error.js';
import { LoadMoreButton } from '../components/load-more-button.js';
import { Link, navigate, paths } from '../routing/router.js';
import { SignInPrompt } from '../session/session-bar.js';
import { useLatestBuild } from '../watch/use-latest-build.js';
import { BuildStatusLine } from './build-status-line.js';

/** Projects per page; each card watches its project's room for its newest build. */
const PROJECTS_PER_PAGE = 24;

/** `/`: the projects a page at a time, each with its newest build (live), and a form to create one. */
export function ProjectsPage() {
  const {
    value: firstPage,
    error: loadError,
    signedOut,
  } = useRequest(() => api.listProjects({ limit: PROJECTS_PER_PAGE }), 'projects');
  const [older, setOlder] = useState<ProjectListItem[][]>([]);
  const projects = firstPage && [...firstPage, ...older.flat()];
  const lastPage = older.at(-1) ?? firstPage;
  const loadMore = async () => {
    const page = await api.listProjects({ limit: PROJECTS_PER_PAGE, before: projects?.at(-1)?.id });
    setOlder((pages) => [...pages, page]);
  };

  return (
    <main className="page">
      <header className="page-header">
        <h1>Projects</h1>
        <p className="muted">
          Each project holds the builds of one codebase. Open one to start a build and watch it live.
        </p>
      </header>
      {!signedOut && <CreateProjectForm />}
      {signedOut && <SignInPrompt what="the projects" />}
      {loadError && !signedOut && <p className="alert alert-error">Could not load projects: {loadError}</p>}
      {projects === null && !loadError && <p className="muted">Loading…</p>}
      {projects?.length === 0 && <p className="empty">No projects yet. Create the first one above.</p>}
      {projects && projects.length > 0 && (
        <ul className="card-list" data-testid="project-list">
          {projects.map((project) => (
            <ProjectCard key={project.id} project={project} />
          ))}
        </ul>
      )}
      {lastPage?.length === PROJECTS_PER_PAGE && (
        <LoadMoreButton label="Load more projects" testId="load-more-projects" load={loadMore} />
      )}
    </main>
  );
}

function ProjectCard(props: { project: ProjectListItem }) {
  const { project } = props;
  const latest = useLatestBuild(project.id, project.latestBuild);
  return (
    <li className="card card-link" data-testid="project" data-project-id={project.id}>
      <Link to={paths.project(project.id)}>
        <strong className="project-name">{project.name}</strong>
        {latest ? (
          <BuildStatusLine build={latest} testId="latest-build" />
        ) : (
          <span className="muted" data-testid="latest-build" data-status="none">
            No builds yet
          </span>
        )}
      </Link>
    </li>
  );
}

function CreateProjectForm() {
  const [name, setName] = useState('');
  const { busy, error, run } = useAction();

  const submit = (event: FormEvent) => {
    event.preventDefault();
    void run(async () => {
      const project = await api.createProject(name);
      navigate(paths.project(project.id));
    });
  };

  return (
    <form className="card form-row" onSubmit={submit}>
      <label htmlFor="project-name">New project</label>
      <input
        id="project-name"
        name="name"
        placeholder="checkout-service"
        value={name}
        maxLength={200}
        required
        onChange={(event) => setName(event.target.value)}
      />
      <button type="submit" className="button button-primary" disabled={busy || !name.trim()}>
        {busy ? 'Creating…' : 'Create project'}
      </button>
      <FormError error={error} />
    </form>
  );
}
