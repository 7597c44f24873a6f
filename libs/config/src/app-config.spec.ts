import { ConfigurationError, loadConfig } from './app-config.js';

describe('loadConfig', () => {
  it('gives working defaults for a developer machine', () => {
    const config = loadConfig({});
    expect(config.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/buildcast');
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.apiPort).toBe(3000);
    expect(config.bindAddress).toBe('127.0.0.1'); // loopback unless something says otherwise
    expect(config.publicUrl).toBe('http://localhost:3000');
    expect(config.corsOrigins).toEqual(['http://localhost:3000', 'http://localhost:5173']);
  });

  it('reads and converts the variables it knows', () => {
    const config = loadConfig({
      API_PORT: '8080',
      CORS_ORIGINS: 'https://a.example, https://b.example',
      WORKER_CONCURRENCY: '2',
      BIND_ADDRESS: '0.0.0.0',
      UNRELATED: 'ignored',
    });
    expect(config.apiPort).toBe(8080);
    expect(config.bindAddress).toBe('0.0.0.0');
    expect(config.publicUrl).toBe('http://localhost:8080');
    expect(config.corsOrigins).toEqual(['http://localhost:8080', 'https://a.example', 'https://b.example']);
    expect(config.workerConcurrency).toBe(2);
  });

  it('runs on Redis unless told to run on Postgres alone', () => {
    expect(loadConfig({}).transport).toBe('redis');
    expect(loadConfig({ BUILDCAST_EMBEDDED: '1' }).transport).toBe('postgres');
    expect(loadConfig({ BUILDCAST_EMBEDDED: '0' }).transport).toBe('redis');
    expect(loadConfig({ BUILDCAST_TRANSPORT: 'postgres' }).transport).toBe('postgres');
    expect(loadConfig({ BUILDCAST_EMBEDDED: '1', BUILDCAST_TRANSPORT: 'redis' }).transport).toBe('redis');
    expect(() => loadConfig({ BUILDCAST_TRANSPORT: 'kafka' })).toThrow(
      /BUILDCAST_TRANSPORT must be redis or postgres/,
    );
  });

  it('names every bad variable in one error', () => {
    const load = () =>
      loadConfig({ API_PORT: 'eighty', DATABASE_URL: 'mysql://x', CORS_ORIGINS: 'localhost' });
    expect(load).toThrow(ConfigurationError);
    expect(load).toThrow(/API_PORT="eighty": API_PORT must be an integer port between 1 and 65535/);
    expect(load).toThrow(/DATABASE_URL="mysql:\/\/x": DATABASE_URL must be a postgres:\/\/ URL/);
    expect(load).toThrow(/CORS_ORIGINS="localhost"/);
  });

  it('configures the abuse limits, generous by default', () => {
    const defaults = loadConfig({});
    expect(defaults.limits).toEqual({
      perKeyPerMinute: 600,
      perIpPerMinute: 1200,
      buildStartsPerMinute: 60,
      longPollsPerKey: 20,
      transcriptMaxLines: 200_000,
      trustedProxies: ['loopback'],
    });
    expect(defaults.gateway.connectionsPerIp).toBe(200);
    const config = loadConfig({
      RATE_LIMIT_PER_MINUTE: '3',
      GATEWAY_CONNECTIONS_PER_IP: '2',
      TRUSTED_PROXIES: 'loopback, 10.0.0.0/8,fd00::1',
    });
    expect(config.limits.perKeyPerMinute).toBe(3);
    expect(config.gateway.connectionsPerIp).toBe(2);
    expect(config.limits.trustedProxies).toEqual(['loopback', '10.0.0.0/8', 'fd00::1']);
    expect(() => loadConfig({ RATE_LIMIT_PER_MINUTE: '0' })).toThrow(/RATE_LIMIT_PER_MINUTE="0"/);
    expect(() => loadConfig({ TRUSTED_PROXIES: 'everyone' })).toThrow(/TRUSTED_PROXIES="everyone"/);
  });

  it('rejects a port out of range', () => {
    expect(() => loadConfig({ GATEWAY_PORT: '70000' })).toThrow(/GATEWAY_PORT="70000"/);
  });

  it('rejects a bind address that is not an address or a host name', () => {
    expect(() => loadConfig({ BIND_ADDRESS: 'http://0.0.0.0' })).toThrow(/BIND_ADDRESS="http:\/\/0.0.0.0"/);
  });

  it('configures the live agents, recovery and output limits', () => {
    const defaults = loadConfig({});
    expect(defaults.agents['claude-code']).toEqual({
      enabled: false,
      variable: 'CLAUDE_BIN',
      bin: 'claude',
      args: [],
      model: null,
    });
    expect(defaults.agents.codex.args).toEqual(['--skip-git-repo-check']);
    expect(defaults.agents.command.bin).toBeNull();
    expect(defaults.agentWorkRoot).toMatch(/buildcast-builds$/);
    expect(defaults.interruptAfterMs).toBe(30_000);
    expect(defaults.toolOutputMaxBytes).toBe(65_536);
    expect(defaults.cancelGraceMs).toBe(5000);

    const config = loadConfig({
      CLAUDE_BIN: '/opt/claude',
      CLAUDE_ARGS: ' --permission-mode  acceptEdits ',
      CLAUDE_MODEL: 'claude-sonnet-5',
      COMMAND_BIN: 'my-runner',
      INTERRUPT_AFTER_MS: '3000',
      TOOL_OUTPUT_MAX_BYTES: '1024',
      PATH: '/usr/bin:/bin',
    });
    expect(config.agents['claude-code']).toEqual({
      enabled: false,
      variable: 'CLAUDE_BIN',
      bin: '/opt/claude',
      args: ['--permission-mode', 'acceptEdits'],
      model: 'claude-sonnet-5',
    });
    expect(config.agents.command.bin).toBe('my-runner');
    expect(config.interruptAfterMs).toBe(3000);
    expect(config.toolOutputMaxBytes).toBe(1024);
    expect(config.searchPath).toBe('/usr/bin:/bin');
  });

  it('rejects bounds that cannot work', () => {
    expect(() => loadConfig({ INTERRUPT_AFTER_MS: '100' })).toThrow(/INTERRUPT_AFTER_MS="100"/);
    expect(() => loadConfig({ TOOL_OUTPUT_MAX_BYTES: 'lots' })).toThrow(
      /TOOL_OUTPUT_MAX_BYTES="lots": TOOL_OUTPUT_MAX_BYTES must be an integer/,
    );
    expect(() => loadConfig({ CANCEL_GRACE_MS: '-1' })).toThrow(/CANCEL_GRACE_MS="-1"/);
  });

  it('runs no live agent unless LIVE_AGENTS names it', () => {
    const enabled = (env: Record<string, string>) =>
      Object.entries(loadConfig(env).agents)
        .filter(([, command]) => command.enabled)
        .map(([agent]) => agent);
    expect(enabled({})).toEqual([]);
    expect(enabled({ CLAUDE_BIN: '/opt/claude', COMMAND_BIN: 'runner' })).toEqual([]); // on PATH is not enough
    expect(enabled({ LIVE_AGENTS: 'claude-code' })).toEqual(['claude-code']);
    expect(enabled({ LIVE_AGENTS: ' codex , command' })).toEqual(['codex', 'command']);
    expect(enabled({ LIVE_AGENTS: 'claude-code,codex,command' })).toEqual([
      'claude-code',
      'codex',
      'command',
    ]);
  });

  it.each(['claude', 'claude-code,', 'claude-code;codex', 'demo', 'replay', '*', 'all'])(
    'rejects LIVE_AGENTS=%j: only live agent names, comma-separated',
    (value) => {
      const load = () => loadConfig({ LIVE_AGENTS: value });
      expect(load).toThrow(ConfigurationError);
      expect(load).toThrow(
        `LIVE_AGENTS=${JSON.stringify(value)}: LIVE_AGENTS must be a comma-separated list of live agents: claude-code, codex, command`,
      );
    },
  );

  it('serves gateway metrics on a loopback port of their own unless told otherwise', () => {
    const defaults = loadConfig({ BIND_ADDRESS: '0.0.0.0' });
    expect(defaults.metricsPort).toBe(9464);
    expect(defaults.metricsBindAddress).toBe('127.0.0.1');
    const tests = loadConfig({ METRICS_PORT: '0', METRICS_BIND_ADDRESS: '0.0.0.0' });
    expect(tests.metricsPort).toBe(0); // any free port
    expect(tests.metricsBindAddress).toBe('0.0.0.0');
    expect(() => loadConfig({ METRICS_PORT: '65536' })).toThrow(/METRICS_PORT="65536"/);
    expect(() => loadConfig({ METRICS_BIND_ADDRESS: 'http://x' })).toThrow(/METRICS_BIND_ADDRESS/);
  });

  it('gives the API metrics and the runner ports of their own, and reads LOG_FORMAT', () => {
    const defaults = loadConfig({});
    expect([defaults.apiMetricsPort, defaults.runnerPort, defaults.logFormat]).toEqual([9465, 3002, null]);
    const tests = loadConfig({ API_METRICS_PORT: '0', RUNNER_PORT: '0', LOG_FORMAT: 'json' });
    expect([tests.apiMetricsPort, tests.runnerPort, tests.logFormat]).toEqual([0, 0, 'json']);
    expect(() => loadConfig({ RUNNER_PORT: '70000' })).toThrow(
      'RUNNER_PORT="70000": RUNNER_PORT must be an integer port between 0 (any free port) and 65535',
    );
    expect(() => loadConfig({ API_METRICS_PORT: 'x' })).toThrow(/API_METRICS_PORT="x"/);
    expect(() => loadConfig({ LOG_FORMAT: 'text' })).toThrow(
      'LOG_FORMAT="text": LOG_FORMAT must be json or pretty',
    );
  });

  it('gives live agents only the environment AGENT_ENV allows: never the database or Redis URLs', () => {
    const env = {
      PATH: '/usr/bin',
      HOME: '/home/me',
      ANTHROPIC_API_KEY: 'sk-1',
      LC_ALL: 'C.UTF-8',
      DATABASE_URL: 'postgres://secret@db/buildcast',
      REDIS_URL: 'redis://secret@redis',
      AWS_SECRET_ACCESS_KEY: 'nope',
      BUILDCAST_ADMIN_KEY: 'an-admin-key-of-at-least-32-characters',
    };
    expect(loadConfig(env).agentEnvironment).toEqual({
      PATH: '/usr/bin',
      HOME: '/home/me',
      ANTHROPIC_API_KEY: 'sk-1',
      LC_ALL: 'C.UTF-8',
    });
    expect(
      loadConfig({ ...env, AGENT_ENV: 'HOME, AWS_*, BUILDCAST_*, DATABASE_URL' }).agentEnvironment,
    ).toEqual({
      HOME: '/home/me',
      AWS_SECRET_ACCESS_KEY: 'nope',
    });
    expect(() => loadConfig({ AGENT_ENV: 'HOME;rm -rf' })).toThrow(/AGENT_ENV/);
  });
});
