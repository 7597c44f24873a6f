import {
  appEnvironment,
  decideSetup,
  probeTargets,
  type DecisionInput,
  type LaunchEnvironment,
} from './decide-setup.js';
import type { LocalServices } from './service-hints.js';

const debian: LocalServices = { platform: 'linux', root: true, postgresClusters: ['15 main'] };
const CWD = '/home/me/buildcast';

const decide = (env: LaunchEnvironment, answered: DecisionInput['answered'] = {}, local = debian) =>
  decideSetup({ env, cwd: CWD, answered, local });

describe('probeTargets', () => {
  it('probes the default addresses when nothing is configured', () => {
    expect(probeTargets({})).toEqual({
      postgres: { host: '127.0.0.1', port: 5432 },
      redis: { host: '127.0.0.1', port: 6379 },
    });
  });

  it('probes the configured addresses', () => {
    expect(
      probeTargets({ DATABASE_URL: 'postgres://u:secret@db.internal/x', REDIS_URL: 'redis://[::1]:6380' }),
    ).toEqual({ postgres: { host: 'db.internal', port: 5432 }, redis: { host: '::1', port: 6380 } });
  });

  it('probes nothing that BUILDCAST_EMBEDDED=1 replaces, unless Redis is asked for', () => {
    expect(probeTargets({ BUILDCAST_EMBEDDED: '1', REDIS_URL: 'redis://127.0.0.1:1' })).toEqual({});
    expect(probeTargets({ BUILDCAST_EMBEDDED: '1', BUILDCAST_TRANSPORT: 'redis' })).toEqual({
      redis: { host: '127.0.0.1', port: 6379 },
    });
  });

  it('cannot probe a Unix socket', () => {
    expect(
      probeTargets({ DATABASE_URL: 'postgres:///buildcast?host=/var/run/postgresql' }).postgres,
    ).toBeUndefined();
  });
});

describe('decideSetup', () => {
  it('BUILDCAST_EMBEDDED=1: embedded Postgres in .buildcast and the Postgres transport, REDIS_URL ignored', () => {
    const decision = decide({ BUILDCAST_EMBEDDED: '1', REDIS_URL: 'redis://127.0.0.1:1' });
    expect(decision).toEqual({
      ok: true,
      database: { kind: 'embedded', dataDir: '/home/me/buildcast/.buildcast' },
      transport: { kind: 'postgres' },
      lines: [
        'database: embedded Postgres in /home/me/buildcast/.buildcast (BUILDCAST_EMBEDDED=1)',
        'transport: postgres (BUILDCAST_EMBEDDED=1; REDIS_URL is ignored)',
      ],
    });
  });

  it('keeps the data where BUILDCAST_DATA_DIR says, relative to the working directory', () => {
    const decision = decide({ BUILDCAST_EMBEDDED: '1', BUILDCAST_DATA_DIR: 'data' });
    expect(decision.ok && decision.database).toEqual({
      kind: 'embedded',
      dataDir: '/home/me/buildcast/data',
    });
    const absolute = decide({ BUILDCAST_EMBEDDED: '1', BUILDCAST_DATA_DIR: '/var/lib/buildcast' });
    expect(absolute.ok && absolute.database).toEqual({ kind: 'embedded', dataDir: '/var/lib/buildcast' });
  });

  it('an explicit BUILDCAST_TRANSPORT wins over what BUILDCAST_EMBEDDED=1 implies', () => {
    const decision = decide({ BUILDCAST_EMBEDDED: '1', BUILDCAST_TRANSPORT: 'redis' }, { redis: true });
    expect(decision.ok && decision.transport).toEqual({ kind: 'redis', url: 'redis://127.0.0.1:6379' });
  });

  it('nothing configured, nothing answering: embedded Postgres and the Postgres transport', () => {
    const decision = decide({}, { postgres: false, redis: false });
    expect(decision.ok && decision.database.kind).toBe('embedded');
    expect(decision.ok && decision.transport).toEqual({ kind: 'postgres' });
    expect(decision.lines).toEqual([
      'database: embedded Postgres in /home/me/buildcast/.buildcast (DATABASE_URL is unset and no Postgres answers at 127.0.0.1:5432)',
      'transport: postgres (REDIS_URL is unset and no Redis answers at 127.0.0.1:6379)',
    ]);
  });

  it('nothing configured, both answering on this machine: the local services', () => {
    const decision = decide({}, { postgres: true, redis: true });
    expect(decision).toMatchObject({
      ok: true,
      database: { kind: 'external', url: 'postgres://postgres@127.0.0.1:5432/buildcast' },
      transport: { kind: 'redis', url: 'redis://127.0.0.1:6379' },
    });
  });

  it('mixes: the local Postgres with the Postgres transport, or an embedded Postgres with a local Redis', () => {
    expect(decide({}, { postgres: true, redis: false })).toMatchObject({
      database: { kind: 'external' },
      transport: { kind: 'postgres' },
    });
    expect(decide({}, { postgres: false, redis: true })).toMatchObject({
      database: { kind: 'embedded' },
      transport: { kind: 'redis' },
    });
  });

  it('logs the external database without its password', () => {
    const decision = decide(
      { DATABASE_URL: 'postgres://app:s3cret@db.internal:5433/bc', REDIS_URL: 'redis://:pw@cache:6379' },
      { postgres: true, redis: true },
    );
    expect(decision.lines).toEqual([
      'database: external postgres://app@db.internal:5433/bc (DATABASE_URL)',
      'transport: redis redis://cache:6379 (REDIS_URL)',
    ]);
    expect(decision.ok && decision.database).toEqual({
      kind: 'external',
      url: 'postgres://app:s3cret@db.internal:5433/bc',
    });
  });

  it('a configured Postgres that does not answer stops the start, naming it and how to start it', () => {
    const decision = decide(
      {
        DATABASE_URL: 'postgres://postgres:pw@127.0.0.1:5999/buildcast',
        REDIS_URL: 'redis://127.0.0.1:6399',
      },
      { postgres: false, redis: false },
    );
    expect(decision).toEqual({
      ok: false,
      lines: [
        'Postgres is not reachable at 127.0.0.1:5999 (DATABASE_URL=postgres://postgres@127.0.0.1:5999/buildcast).',
        '  start it: pg_ctlcluster 15 main start',
        '        or: docker run -d -p 127.0.0.1:5999:5432 -e POSTGRES_HOST_AUTH_METHOD=trust postgres:18',
        '  or run without it: BUILDCAST_EMBEDDED=1 npm start (an embedded Postgres, its data in .buildcast/; no Redis needed)',
        'Redis is not reachable at 127.0.0.1:6399 (REDIS_URL) either.',
        '  start it: redis-server --port 6399 --daemonize yes',
        '        or: docker run -d -p 127.0.0.1:6399:6379 redis:7',
      ],
    });
  });

  it('advice fits the machine: sudo when not root, brew on macOS, none to start a remote server', () => {
    const macUser = decide(
      { DATABASE_URL: 'postgres://localhost/x' },
      { postgres: false },
      {
        platform: 'darwin',
        root: false,
        postgresClusters: [],
      },
    );
    expect(macUser.lines[1]).toBe('  start it: brew services start postgresql');
    const debianUser = decide(
      { DATABASE_URL: 'postgres://localhost/x' },
      { postgres: false },
      { ...debian, root: false },
    );
    expect(debianUser.lines[1]).toBe('  start it: sudo pg_ctlcluster 15 main start');
    const remote = decide({ DATABASE_URL: 'postgres://db.internal/x' }, { postgres: false });
    expect(remote.lines.slice(1)).toEqual([
      '  check that the server at db.internal:5432 is up and that this machine can reach it',
      '  or run without it: BUILDCAST_EMBEDDED=1 npm start (an embedded Postgres, its data in .buildcast/; no Redis needed)',
    ]);
  });

  it('BUILDCAST_EMBEDDED=0 rules out the embedded fallback', () => {
    const decision = decide({ BUILDCAST_EMBEDDED: '0' }, { postgres: false, redis: true });
    expect(decision.ok).toBe(false);
    expect(decision.lines[0]).toBe(
      'Postgres is not reachable at 127.0.0.1:5432 (DATABASE_URL is unset; BUILDCAST_EMBEDDED=0 rules out an embedded one).',
    );
  });

  it('a configured Redis that does not answer is a warning: the apps start and retry it', () => {
    const decision = decide(
      { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/buildcast', REDIS_URL: 'redis://127.0.0.1:6399' },
      { postgres: true, redis: false },
    );
    expect(decision.ok && decision.transport).toEqual({ kind: 'redis', url: 'redis://127.0.0.1:6399' });
    expect(decision.lines.slice(1)).toEqual([
      'transport: redis redis://127.0.0.1:6399 (REDIS_URL)',
      'Redis is not reachable at 127.0.0.1:6399 (REDIS_URL): the apps start anyway and keep retrying; builds wait until it answers.',
      '  start it: redis-server --port 6399 --daemonize yes',
      '        or: docker run -d -p 127.0.0.1:6399:6379 redis:7',
      '  or run without Redis: BUILDCAST_TRANSPORT=postgres npm start, or BUILDCAST_EMBEDDED=1 npm start',
    ]);
  });

  it('refuses values the apps would refuse, naming the variable', () => {
    expect(decide({ BUILDCAST_EMBEDDED: 'yes' })).toEqual({
      ok: false,
      lines: ['BUILDCAST_EMBEDDED="yes": must be 1 (run on an embedded Postgres alone) or 0'],
    });
    expect(decide({ BUILDCAST_TRANSPORT: 'kafka' }).lines).toEqual([
      'BUILDCAST_TRANSPORT="kafka": must be redis or postgres',
    ]);
  });

  it('treats empty variables as unset, as the apps do', () => {
    const decision = decide(
      { DATABASE_URL: '', REDIS_URL: '', BUILDCAST_EMBEDDED: '' },
      { postgres: false, redis: false },
    );
    expect(decision).toMatchObject({
      ok: true,
      database: { kind: 'embedded' },
      transport: { kind: 'postgres' },
    });
  });
});

describe('appEnvironment', () => {
  it('gives every app the same database and transport', () => {
    expect(appEnvironment({ kind: 'postgres' }, 'postgres://postgres:pw@127.0.0.1:40000/buildcast')).toEqual({
      DATABASE_URL: 'postgres://postgres:pw@127.0.0.1:40000/buildcast',
      BUILDCAST_TRANSPORT: 'postgres',
    });
    expect(appEnvironment({ kind: 'redis', url: 'redis://127.0.0.1:6379' }, 'postgres://x')).toEqual({
      DATABASE_URL: 'postgres://x',
      BUILDCAST_TRANSPORT: 'redis',
      REDIS_URL: 'redis://127.0.0.1:6379',
    });
  });
});
