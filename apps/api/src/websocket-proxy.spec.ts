import { forwardedFor } from './websocket-proxy.js';

describe('forwardedFor', () => {
  it('names the peer the API forwards for', () => {
    expect(forwardedFor(undefined, '203.0.113.5')).toBe('203.0.113.5');
  });

  it('appends the peer to what came before, so the gateway reads it from the right', () => {
    expect(forwardedFor('198.51.100.1', '10.0.0.2')).toBe('198.51.100.1, 10.0.0.2');
    expect(forwardedFor(['198.51.100.1', '10.0.0.3'], '10.0.0.2')).toBe('198.51.100.1, 10.0.0.3, 10.0.0.2');
    expect(forwardedFor('  ', '10.0.0.2')).toBe('10.0.0.2');
  });
});
