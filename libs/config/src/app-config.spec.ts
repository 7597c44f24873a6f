import { ConfigurationError, loadConfig } from './app-config.js';

describe('loadConfig', () => {
  it('gives working defaults for a developer machine', () => {
    const config = loadConfig({});
    expect(config.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/buildcast');
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.apiPort).toBe(3000);
    expect(config.publicUrl).toBe('http://localhost:3000');
    expect(config.corsOrigins).toEqual(['http://localhost:3000', 'http://localhost:5173']);
  });

  it('reads and converts the variables it knows', () => {
    const config = loadConfig({
      API_PORT: '8080',
      CORS_ORIGINS: 'https://a.example, https://b.example',
      WORKER_CONCURRENCY: '2',
      UNRELATED: 'ignored',
    });
    expect(config.apiPort).toBe(8080);
    expect(config.publicUrl).toBe('http://localhost:8080');
    expect(config.corsOrigins).toEqual(['http://localhost:8080', 'https://a.example', 'https://b.example']);
    expect(config.workerConcurrency).toBe(2);
  });

  it('names every bad variable in one error', () => {
    const load = () =>
      loadConfig({ API_PORT: 'eighty', DATABASE_URL: 'mysql://x', CORS_ORIGINS: 'localhost' });
    expect(load).toThrow(ConfigurationError);
    expect(load).toThrow(/API_PORT="eighty": API_PORT must be an integer port between 1 and 65535/);
    expect(load).toThrow(/DATABASE_URL="mysql:\/\/x": DATABASE_URL must be a postgres:\/\/ URL/);
    expect(load).toThrow(/CORS_ORIGINS="localhost"/);
  });

  it('rejects a port out of range', () => {
    expect(() => loadConfig({ GATEWAY_PORT: '70000' })).toThrow(/GATEWAY_PORT="70000"/);
  });
});
