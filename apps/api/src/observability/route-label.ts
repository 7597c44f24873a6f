/** What Express leaves on a request it routed (Nest's routes are Express routes). */
export interface RoutedRequest {
  path: string;
  baseUrl?: string;
  route?: { path?: unknown };
}

/**
 * A bounded `route` label: the route pattern (`/api/projects/:projectId/builds`), never the
 * path with its ids; requests no route took are `unmatched` under /api, else `web` (the app's
 * files and pages).
 */
export function routeLabel(request: RoutedRequest): string {
  if (typeof request.route?.path === 'string') return `${request.baseUrl ?? ''}${request.route.path}`;
  return request.path === '/api' || request.path.startsWith('/api/') ? 'unmatched' : 'web';
}
