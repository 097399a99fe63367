// The client's address for per-address throttling, the same way for HTTP requests and WebSocket
// upgrades: the socket's peer, or, behind TRUST_PROXY_HOPS trusted proxies, the address that many
// hops back in X-Forwarded-For. Entries a client wrote itself (further left) are never believed.
// An IPv6 client is its /64: one host is routinely given a whole /64, so counting per address would
// let it rotate through 2^64 of them.
import type { IncomingMessage } from 'node:http';
import { isIPv6 } from 'node:net';

export function clientAddress(req: IncomingMessage, trustedHops: number): string {
  const peer = normalize(req.socket.remoteAddress ?? 'unknown');
  if (trustedHops === 0) return peer;
  const header = req.headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '');
  // Nearest first: the peer (our proxy), then what each trusted proxy saw, right to left.
  const chain = [peer, ...forwarded.reverse().map(normalize)];
  return chain[Math.min(trustedHops, chain.length - 1)]!;
}

/** `::ffff:10.0.0.1` and `10.0.0.1` are one client; an IPv6 address becomes its /64 (`2001:db8:0:1::/64`). */
export function normalize(address: string): string {
  if (address.startsWith('::ffff:') && address.includes('.')) return address.slice(7);
  const bare = address.replace(/%.*$/, ''); // a zone id (fe80::1%eth0) is local detail
  return isIPv6(bare) ? prefix64(bare) : address;
}

/** The first four 16-bit groups of an IPv6 address, in canonical lower-case hex. */
function prefix64(address: string): string {
  const [head = '', tail] = address.toLowerCase().split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  // An embedded IPv4 tail (64:ff9b::1.2.3.4) stands for two groups.
  const rightGroups = right.length + (right.at(-1)?.includes('.') ? 1 : 0);
  const groups =
    tail === undefined ? left : [...left, ...Array(8 - left.length - rightGroups).fill('0'), ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => Number.parseInt(g, 16).toString(16))
    .join(':')}::/64`;
}
