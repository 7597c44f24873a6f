import { ConfigurationError } from '#config';
import { resolveApiOptions } from './api-options.js';

const DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/host_buildcast';

describe('resolveApiOptions', () => {
  it("fills in the standalone API's defaults, under /api with health routes", () => {
    const { config, routes } = resolveApiOptions({ databaseUrl: DATABASE_URL });
    expect(routes).toEqual({ prefix: 'api', health: true });
    expect(config.maxBodyBytes).toBe(10 * 1024 * 1024);
    expect(config.limits.perKeyPerMinute).toBe(600);
    expect(config.limits.trustedProxies).toEqual(['loopback']);
  });

  it('takes the prefix, limits and proxies from the options, each limit over its own default', () => {
    const { config, routes } = resolveApiOptions({
      databaseUrl: DATABASE_URL,
      prefix: 'buildcast/api',
      health: false,
      trustedProxies: ['10.0.0.0/8'],
      limits: { perKeyPerMinute: 50, longPollsPerKey: undefined },
      allowedOrigins: ['https://host.example'],
    });
    expect(routes).toEqual({ prefix: 'buildcast/api', health: false });
    expect(config.limits).toMatchObject({
      perKeyPerMinute: 50,
      longPollsPerKey: 20,
      trustedProxies: ['10.0.0.0/8'],
    });
    expect(config.corsOrigins).toEqual(['https://host.example']);
  });

  it('refuses bad options with one error naming each field', () => {
    let message = '';
    try {
      resolveApiOptions({
        databaseUrl: DATABASE_URL,
        transport: 'kafka' as never,
        prefix: 'a b',
        maxBodyBytes: 10,
        limits: { perKeyPerMinute: 0 },
      });
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigurationError);
      message = (error as Error).message;
    }
    for (const field of ['transport', 'prefix', 'maxBodyBytes', 'limits.perKeyPerMinute']) {
      expect(message).toContain(field);
    }
  });
});
