import { isWellFormedId, matchRoute, paths } from './routes.js';

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

describe('isWellFormedId', () => {
  it('accepts UUIDs in either case and nothing else', () => {
    expect(isWellFormedId('0b7e9d1c-2f4a-4c3e-9a1b-5d6e7f8a9b0c')).toBe(true);
    expect(isWellFormedId('0B7E9D1C-2F4A-4C3E-9A1B-5D6E7F8A9B0C')).toBe(true);
    expect(isWellFormedId('0b7e9d1c-2f4a-4c3e-9a1b-5d6e7f8a9b0')).toBe(false);
    expect(isWellFormedId('0b7e9d1c')).toBe(false);
    expect(isWellFormedId('not-a-uuid')).toBe(false);
  });
});
