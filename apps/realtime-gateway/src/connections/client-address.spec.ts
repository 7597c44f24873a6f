import { clientAddress, trustedProxies } from './client-address.js';

describe('trustedProxies', () => {
  it('trusts loopback, listed addresses and ranges, nothing else', () => {
    const trusted = trustedProxies(['loopback', '10.0.0.0/8', '192.0.2.7', 'fd00::/8']);
    for (const address of [
      '127.0.0.1',
      '127.9.9.9',
      '::1',
      '::ffff:127.0.0.1',
      '10.1.2.3',
      '192.0.2.7',
      'fd00::5',
    ]) {
      expect(trusted(address)).toBe(true);
    }
    for (const address of ['192.0.2.8', '11.0.0.1', '2001:db8::1', 'not-an-ip', '']) {
      expect(trusted(address)).toBe(false);
    }
  });
});

describe('clientAddress', () => {
  const loopbackOnly = trustedProxies(['loopback']);

  it('is the peer when the peer is not a trusted proxy, whatever the header says', () => {
    expect(clientAddress('203.0.113.5', '198.51.100.1', loopbackOnly)).toBe('203.0.113.5');
  });

  it('is the hop a trusted proxy forwarded for', () => {
    expect(clientAddress('127.0.0.1', '203.0.113.5', loopbackOnly)).toBe('203.0.113.5');
    expect(clientAddress('::ffff:127.0.0.1', '203.0.113.5', loopbackOnly)).toBe('203.0.113.5');
  });

  it('does not believe what the client itself put before an untrusted hop', () => {
    // client says "1.1.1.1", the API appended the client's real address, then forwarded.
    expect(clientAddress('127.0.0.1', '1.1.1.1, 203.0.113.5', loopbackOnly)).toBe('203.0.113.5');
  });

  it('walks through a chain of trusted proxies', () => {
    const trusted = trustedProxies(['loopback', '10.0.0.0/8']);
    expect(clientAddress('127.0.0.1', '203.0.113.5, 10.0.0.2', trusted)).toBe('203.0.113.5');
    expect(clientAddress('127.0.0.1', ['203.0.113.5', '10.0.0.2'], trusted)).toBe('203.0.113.5');
  });

  it('is the trusted peer itself without a header', () => {
    expect(clientAddress('127.0.0.1', undefined, loopbackOnly)).toBe('127.0.0.1');
    expect(clientAddress('127.0.0.1', ' , ', loopbackOnly)).toBe('127.0.0.1');
    expect(clientAddress(undefined, undefined, loopbackOnly)).toBe('unknown');
  });
});
