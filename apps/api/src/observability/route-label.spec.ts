import { routeLabel } from './route-label.js';

describe('routeLabel', () => {
  it('is the route pattern, not the path with its ids', () => {
    expect(
      routeLabel({
        path: '/api/projects/p1/builds/b2/events',
        baseUrl: '',
        route: { path: '/api/projects/:projectId/builds/:sessionId/events' },
      }),
    ).toBe('/api/projects/:projectId/builds/:sessionId/events');
  });

  it('keeps a router mount point', () => {
    expect(routeLabel({ path: '/x', baseUrl: '/api/docs', route: { path: '/x' } })).toBe('/api/docs/x');
  });

  it('folds what no route took into two labels, so a scanner cannot grow the series', () => {
    expect(routeLabel({ path: '/api/no-such-route' })).toBe('unmatched');
    expect(routeLabel({ path: '/api' })).toBe('unmatched');
    expect(routeLabel({ path: '/projects/p1/builds/b2' })).toBe('web');
    expect(routeLabel({ path: '/assets/index-abc.js' })).toBe('web');
    expect(routeLabel({ path: '/apix' })).toBe('web');
  });
});
