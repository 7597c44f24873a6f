import { Link, paths } from '../routing/router.js';

/**
 * Instead of an error for what cannot be fixed by trying again: an unknown project or build
 * (`unknown`), or a link whose id is not even an id (`malformed`: mistyped or cut off).
 */
export function NotFound(props: { what: 'project' | 'build' | 'page'; reason: 'unknown' | 'malformed' }) {
  const { what, reason } = props;
  return (
    <main className="page not-found" data-testid="not-found" data-reason={reason}>
      <h1>{reason === 'malformed' ? 'This link is broken' : `No such ${what}`}</h1>
      <p>
        {reason === 'malformed'
          ? `The ${what} id in this address is not a valid id: the link may have been cut off or mistyped.`
          : `This ${what} does not exist, or it was deleted. Check the address, or start from the projects.`}
      </p>
      <p>
        <Link to={paths.projects()}>Go to the projects</Link>
      </p>
    </main>
  );
}
