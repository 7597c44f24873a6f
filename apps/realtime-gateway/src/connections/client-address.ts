import { BlockList, isIPv4 } from 'node:net';

/** `loopback`, addresses and CIDR ranges (TRUSTED_PROXIES) as a test of an address. */
export function trustedProxies(entries: readonly string[]): (address: string) => boolean {
  const list = new BlockList();
  for (const entry of entries) {
    if (entry === 'loopback') {
      list.addSubnet('127.0.0.0', 8, 'ipv4');
      list.addAddress('::1', 'ipv6');
      continue;
    }
    const [address, bits] = entry.split('/');
    const type = isIPv4(address) ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(address, type);
    else list.addSubnet(address, Number(bits), type);
  }
  return (address) => {
    try {
      return list.check(address, isIPv4(address) ? 'ipv4' : 'ipv6');
    } catch {
      return false; // not an address at all (a forged header): never trusted
    }
  };
}

/**
 * The client's address, as Express computes `request.ip` with `trust proxy`: start at the
 * TCP peer and, while the address in hand is a trusted proxy, step to the hop it says it
 * forwarded for (X-Forwarded-For, read from the right). So a client's own X-Forwarded-For
 * counts only when every hop after it is trusted: it cannot pick its own address.
 */
export function clientAddress(
  peer: string | undefined,
  forwardedFor: string | string[] | undefined,
  isTrusted: (address: string) => boolean,
): string {
  let address = peer ?? 'unknown';
  const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : (forwardedFor ?? ''))
    .split(',')
    .map((hop) => hop.trim())
    .filter((hop) => hop !== '');
  while (hops.length > 0 && isTrusted(address)) address = hops.pop()!;
  return address;
}
