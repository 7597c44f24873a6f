import { matchRoute, paths } from './routes.js';

describe('routes', () => {
  it('matches the contract routes', () => {
    expect(matchRoute('/')).toEqual({ page: 'projects' });
    expect(matchRoute('/sign-in')).toEqual({ page: 'sign-in' });
    expect(matchRoute('/projects/p1')).toEqual({ page: 'project', projectId: 'p1' });
    expect(matchRoute('/projects/p1/')).toEqual({ page: 'project', projectId: 'p1' });
    expect(matchRoute('/projects/p1/builds/s1')).toEqual({ page: 'build', projectId: 'p1', sessionId: 's1' });
  });

  it('reports anything else as not found', () => {
    expect(matchRoute('/projects')).toEqual({ page: 'not-found', path: '/projects' });
    expect(matchRoute('/projects/p1/builds')).toMatchObject({ page: 'not-found' });
    expect(matchRoute('/projects/p1/builds/s1/extra')).toMatchObject({ page: 'not-found' });
    expect(matchRoute('/elsewhere')).toMatchObject({ page: 'not-found' });
  });

  it('builds paths that match back, encoding odd ids', () => {
    expect(matchRoute(paths.build('a b', 'c/d'))).toEqual({
      page: 'build',
      projectId: 'a b',
      sessionId: 'c/d',
    });
    expect(matchRoute(paths.project('x'))).toEqual({ page: 'project', projectId: 'x' });
    expect(matchRoute(paths.projects())).toEqual({ page: 'projects' });
    expect(matchRoute(paths.signIn())).toEqual({ page: 'sign-in' });
  });
});
