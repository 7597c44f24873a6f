import { BuildPage } from './build/build-page.js';
import { ProjectPage } from './projects/project-page.js';
import { ProjectsPage } from './projects/projects-page.js';
import { NotFound } from './components/not-found.js';
import { Link, paths, useRoute } from './routing/router.js';
import { isWellFormedId } from './routing/routes.js';
import { SessionBar } from './session/session-bar.js';
import { SignInPage } from './session/sign-in-page.js';

export function App() {
  const route = useRoute();
  return (
    <>
      <header className="topbar">
        <Link to={paths.projects()} className="brand">
          <span className="brand-dot" aria-hidden="true" /> Buildcast
        </Link>
        <span className="muted">live build progress for AI-agent runs</span>
        <SessionBar />
      </header>
      {route.page === 'sign-in' && <SignInPage />}
      {route.page === 'projects' && <ProjectsPage />}
      {/* `key` gives each project and build its own page state (and watch). */}
      {route.page === 'project' &&
        (isWellFormedId(route.projectId) ? (
          <ProjectPage key={route.projectId} projectId={route.projectId} />
        ) : (
          <NotFound what="project" reason="malformed" />
        ))}
      {route.page === 'build' &&
        (isWellFormedId(route.projectId) && isWellFormedId(route.sessionId) ? (
          <BuildPage key={route.sessionId} projectId={route.projectId} sessionId={route.sessionId} />
        ) : (
          <NotFound what="build" reason="malformed" />
        ))}
      {route.page === 'not-found' && <NotFound what="page" reason="unknown" />}
    </>
  );
}
