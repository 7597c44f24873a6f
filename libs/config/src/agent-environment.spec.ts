import { DEFAULT_AGENT_ENV, isStackSecret, pickAgentEnvironment } from './agent-environment.js';

const env = {
  PATH: '/usr/bin',
  HOME: '/home/me',
  ANTHROPIC_API_KEY: 'sk-1',
  HTTPS_PROXY: 'http://proxy.internal:3128',
  NO_PROXY: 'localhost',
  DATABASE_URL: 'postgres://secret@db/buildcast',
  REDIS_URL: 'redis://secret@redis',
  PGPASSWORD: 'pg-secret',
  BUILDCAST_ADMIN_KEY: 'bc_admin_secret',
  BUILDCAST_TOKEN_SECRET: 'hmac-secret',
  BUILDCAST_TOKEN: 'bc_cli_secret',
};

describe('pickAgentEnvironment', () => {
  it('gives what the default allow-list names', () => {
    expect(pickAgentEnvironment(DEFAULT_AGENT_ENV, env)).toEqual({
      PATH: '/usr/bin',
      HOME: '/home/me',
      ANTHROPIC_API_KEY: 'sk-1',
      HTTPS_PROXY: 'http://proxy.internal:3128',
      NO_PROXY: 'localhost',
    });
  });

  it.each([
    '*',
    'BUILDCAST_*',
    'B*,D*,R*,P*',
    'DATABASE_URL,REDIS_URL,PGPASSWORD,BUILDCAST_ADMIN_KEY,BUILDCAST_TOKEN_SECRET,BUILDCAST_TOKEN',
  ])('never passes the stack secrets, even when AGENT_ENV=%s names them', (allowList) => {
    const picked = pickAgentEnvironment(allowList, env);
    for (const secret of ['DATABASE_URL', 'REDIS_URL', 'PGPASSWORD', 'BUILDCAST_ADMIN_KEY']) {
      expect(picked).not.toHaveProperty(secret);
    }
    expect(picked).not.toHaveProperty('BUILDCAST_TOKEN_SECRET');
    expect(picked).not.toHaveProperty('BUILDCAST_TOKEN');
  });

  it('still passes everything else a broad pattern names', () => {
    expect(pickAgentEnvironment('*', env)).toEqual({
      PATH: '/usr/bin',
      HOME: '/home/me',
      ANTHROPIC_API_KEY: 'sk-1',
      HTTPS_PROXY: 'http://proxy.internal:3128',
      NO_PROXY: 'localhost',
    });
  });

  it('counts every BUILDCAST_ variable and the database and Redis credentials as stack secrets', () => {
    expect(isStackSecret('BUILDCAST_SOMETHING_NEW')).toBe(true);
    expect(isStackSecret('DATABASE_URL')).toBe(true);
    expect(isStackSecret('REDIS_URL')).toBe(true);
    expect(isStackSecret('ANTHROPIC_API_KEY')).toBe(false);
    expect(isStackSecret('MY_DATABASE_URL')).toBe(false);
  });
});
