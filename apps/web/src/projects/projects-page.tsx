import { useState, type FormEvent } from 'react';
import { api } from '../api/api.js';
import { useAction, useRequest } from '../api/use-request.js';
import { FormError } from '../components/form-error.js';
import { formatTime } from '../format/format.js';
import { Link, navigate, paths } from '../routing/router.js';
import { SignInPrompt } from '../session/session-bar.js';

/** `/`: every project, and a form to create one. */
export function ProjectsPage() {
  const { value: projects, error: loadError, signedOut } = useRequest(() => api.listProjects(), 'projects');

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
            <li key={project.id} className="card card-link" data-testid="project">
              <Link to={paths.project(project.id)}>
                <strong>{project.name}</strong>
                <span className="muted">created {formatTime(new Date(project.createdAt))}</span>
              </Link>
            </li>
          ))}
        </ul>
      )}
    </main>
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
