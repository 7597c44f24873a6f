/** The app's shareable routes (see CONTRACT.md): matched from the path, nothing else. */
export type Route =
  | { page: 'projects' }
  | { page: 'sign-in' }
  | { page: 'project'; projectId: string }
  | { page: 'build'; projectId: string; sessionId: string }
  | { page: 'not-found'; path: string };

export function matchRoute(pathname: string): Route {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  if (parts.length === 0) return { page: 'projects' };
  if (parts[0] === 'sign-in' && parts.length === 1) return { page: 'sign-in' };
  if (parts[0] === 'projects' && parts.length === 2) return { page: 'project', projectId: parts[1] };
  if (parts[0] === 'projects' && parts[2] === 'builds' && parts.length === 4)
    return { page: 'build', projectId: parts[1], sessionId: parts[3] };
  return { page: 'not-found', path: pathname };
}

export const paths = {
  projects: () => '/',
  signIn: () => '/sign-in',
  project: (projectId: string) => `/projects/${encodeURIComponent(projectId)}`,
  build: (projectId: string, sessionId: string) =>
    `/projects/${encodeURIComponent(projectId)}/builds/${encodeURIComponent(sessionId)}`,
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Project and build ids are UUIDs: anything else is a mistyped or cut-off link. */
export function isWellFormedId(id: string): boolean {
  return UUID.test(id);
}
