import { ConfigurationError, loadConfig } from '#config';
import { allowedOrigins, isOriginAllowed } from '#identity';
import { gatewayOptionsFrom, resolveGatewayOptions } from './gateway-options.js';

const DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/host_buildcast';

describe('resolveGatewayOptions', () => {
  it("fills in the standalone gateway's defaults, and never reads the host's environment", () => {
    process.env.GATEWAY_HEARTBEAT_MS = '1234';
    try {
      const { config, routes } = resolveGatewayOptions({ databaseUrl: DATABASE_URL });
      expect(config.databaseUrl).toBe(DATABASE_URL);
      expect(config.transport).toBe('redis');
      expect(config.gateway.heartbeatMs).toBe(30_000);
      expect(config.identity.adminKey).toBeNull();
      expect(routes).toMatchObject({ path: '/ws', healthPath: 'health', metrics: false });
      // No browser origin may open a socket unless given; clients without Origin may.
      expect(isOriginAllowed('http://localhost:3000', routes.allowedOrigins)).toBe(false);
      expect(isOriginAllowed(undefined, routes.allowedOrigins)).toBe(true);
    } finally {
      delete process.env.GATEWAY_HEARTBEAT_MS;
    }
  });

  it('takes routes, transport and tuning from the options; an undefined field keeps its default', () => {
    const { config, routes } = resolveGatewayOptions({
      databaseUrl: DATABASE_URL,
      transport: 'postgres',
      path: '/live',
      healthPath: false,
      metrics: { port: 0 },
      allowedOrigins: ['https://host.example'],
      tuning: { heartbeatMs: 5000, coalesceMs: undefined },
    });
    expect(config.transport).toBe('postgres');
    expect(config.gateway).toMatchObject({ heartbeatMs: 5000, coalesceMs: 200 });
    expect(routes).toMatchObject({
      path: '/live',
      healthPath: false,
      metrics: { port: 0, host: '127.0.0.1' },
    });
    expect(isOriginAllowed('https://host.example', routes.allowedOrigins)).toBe(true);
    expect(isOriginAllowed('https://other.example', routes.allowedOrigins)).toBe(false);
  });

  it('refuses bad options with one error naming each field', () => {
    const resolve = () =>
      resolveGatewayOptions({
        databaseUrl: 'mysql://nope',
        path: 'ws',
        metrics: { port: 70_000 },
        allowedOrigins: ['host.example'],
        tuning: { heartbeatMs: 0, colaesceMs: 5 } as never,
      });
    expect(resolve).toThrow(ConfigurationError);
    const message = (() => {
      try {
        resolve();
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    })();
    for (const field of [
      'databaseUrl',
      'path',
      'metrics.port',
      'allowedOrigins',
      'tuning.heartbeatMs',
      'tuning.colaesceMs',
    ]) {
      expect(message).toContain(field);
    }
  });

  it("round-trips the standalone gateway's configuration through its options", () => {
    const standalone = loadConfig({
      DATABASE_URL,
      BUILDCAST_TRANSPORT: 'postgres',
      QUEUE_PREFIX: 'stack_1',
      BUILDCAST_ADMIN_KEY: 'k'.repeat(32),
      GATEWAY_COALESCE_MS: '50',
      TRUSTED_PROXIES: '10.0.0.0/8',
      METRICS_PORT: '0',
      PUBLIC_URL: 'https://buildcast.example',
    });
    const { config, routes } = resolveGatewayOptions(gatewayOptionsFrom(standalone));
    for (const field of [
      'databaseUrl',
      'databasePoolSize',
      'transport',
      'redisUrl',
      'queuePrefix',
    ] as const) {
      expect(config[field]).toEqual(standalone[field]);
    }
    expect(config.gateway).toEqual(standalone.gateway);
    expect(config.identity).toEqual(standalone.identity);
    expect(config.limits.trustedProxies).toEqual(['10.0.0.0/8']);
    expect(routes.allowedOrigins).toEqual(
      allowedOrigins(standalone.publicUrl, standalone.corsOrigins, standalone.publicUrlIsSet),
    );
    expect(routes.metrics).toEqual({ port: 0, host: '127.0.0.1' });
  });
});
