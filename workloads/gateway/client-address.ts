// Who the client is — pure, no I/O. The rate limits and the ip-hash balancer key on the client
// address, so it must be one a client cannot choose. X-Forwarded-For is written by every proxy on the
// way (each appends the address it received the connection from), so only its right-hand end is
// trustworthy: the client is the right-most address that is not a trusted proxy, found by walking
// from the socket address leftwards only while each hop is a trusted proxy (GATEWAY_TRUSTED_PROXIES).
// With no trusted proxies the socket address is the client, and the header is ignored. Whatever a
// client writes at the left of the header is never reached: to get there the walk would have to pass
// an address the client controls, and that address is not trusted. A malformed entry stops the walk
// (the last trusted hop is the client), so garbage cannot skip a hop either.
import net from 'node:net';

export type Family = 'ipv4' | 'ipv6';

export interface Address {
  address: string;
  family: Family;
}

/** An IPv4-mapped IPv6 address (`::ffff:10.0.0.1`, as a dual-stack socket reports IPv4 peers) as IPv4. */
function unmapped(ipv6: string): Address {
  // The URL parser writes IPv6 in its canonical form: `::ffff:10.0.0.1` becomes `::ffff:a00:1`.
  const canonical = new URL(`http://[${ipv6}]/`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(canonical);
  if (!mapped) return { address: canonical, family: 'ipv6' };
  const high = parseInt(mapped[1] as string, 16);
  const low = parseInt(mapped[2] as string, 16);
  return { address: [high >> 8, high & 255, low >> 8, low & 255].join('.'), family: 'ipv4' };
}

/**
 * Parses one address as proxies write it: `10.0.0.1`, `10.0.0.1:5678`, `2001:db8::1`,
 * `[2001:db8::1]`, `[2001:db8::1]:443`, `::ffff:10.0.0.1` (reported as IPv4). Anything else (names,
 * `unknown`, zone ids, obfuscated identifiers) is undefined.
 */
export function parseAddress(text: string | undefined): Address | undefined {
  if (text === undefined) return undefined;
  let candidate = text.trim();
  const bracketed = /^\[([^\]]+)\](?::\d{1,5})?$/.exec(candidate);
  if (bracketed) candidate = bracketed[1] as string;
  else if (/^[\d.]+:\d{1,5}$/.test(candidate)) candidate = candidate.slice(0, candidate.indexOf(':'));
  if (candidate.includes('%')) return undefined;
  const version = net.isIP(candidate);
  if (version === 4) return { address: candidate, family: 'ipv4' };
  if (version === 6) return unmapped(candidate);
  return undefined;
}

export interface TrustedProxies {
  readonly size: number;
  contains(address: Address): boolean;
}

/**
 * Parses GATEWAY_TRUSTED_PROXIES: comma-separated addresses and CIDRs, IPv4 or IPv6
 * (`10.0.0.0/8, 192.168.1.7, fd00::/8, ::ffff:172.16.0.0/108`). Throws on an entry it cannot read,
 * naming it, so that a typo fails the start instead of silently trusting nothing (or everything).
 */
export function parseTrustedProxies(value: string): TrustedProxies {
  const list = new net.BlockList();
  let size = 0;
  for (const entry of value
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)) {
    const [host = '', prefixText, extra] = entry.split('/');
    const address = extra === undefined && !host.startsWith('[') ? parseAddress(host) : undefined;
    if (!address) throw new Error(`"${entry}" is not an IP address or CIDR`);
    if (prefixText === undefined) {
      list.addAddress(address.address, address.family);
    } else {
      if (!/^\d{1,3}$/.test(prefixText)) throw new Error(`"${entry}" has an invalid prefix length`);
      let prefix = Number(prefixText);
      const v6Mapped = address.family === 'ipv4' && net.isIP(host) === 6;
      // A mapped IPv6 prefix (::ffff:0:0/96 + n) covers IPv4 addresses, which is how they are checked.
      if (v6Mapped) {
        if (prefix < 96) throw new Error(`"${entry}" reaches beyond the IPv4-mapped range (prefix below 96)`);
        prefix -= 96;
      }
      if (prefix > (address.family === 'ipv4' ? 32 : 128)) throw new Error(`"${entry}" has a prefix longer than the address`);
      list.addSubnet(address.address, prefix, address.family);
    }
    size += 1;
  }
  return { size, contains: (address) => size > 0 && list.check(address.address, address.family) };
}

/** The X-Forwarded-For entries, left to right (several headers count as one list, as RFC 9110 says). */
function forwardedEntries(header: string | string[] | undefined): string[] {
  if (header === undefined) return [];
  return (Array.isArray(header) ? header.join(',') : header).split(',');
}

/** The hops the walk looks at, at most: a longer chain of trusted proxies is not a real deployment. */
const MAX_HOPS = 16;

/**
 * The client address of a request: the socket's peer, or — when that peer is a trusted proxy — the
 * right-most X-Forwarded-For entry that is not a trusted proxy (see the top of this file).
 */
export function clientAddress(
  socketAddress: string | undefined,
  forwardedFor: string | string[] | undefined,
  trusted: TrustedProxies,
): string {
  let client = parseAddress(socketAddress);
  if (!client) return socketAddress ?? 'unknown';
  if (trusted.size === 0) return client.address;
  const entries = forwardedEntries(forwardedFor);
  for (let index = entries.length - 1, hops = 0; index >= 0 && hops < MAX_HOPS && trusted.contains(client); index -= 1, hops += 1) {
    const hop = parseAddress(entries[index]);
    if (!hop) break;
    client = hop;
  }
  return client.address;
}

/**
 * Whether the client reached the platform over TLS: the gateway's own socket, or the X-Forwarded-Proto
 * of a trusted proxy that is the socket's peer (its right-most value, the one that proxy wrote).
 */
export function arrivedOverTls(
  encrypted: boolean,
  socketAddress: string | undefined,
  forwardedProto: string | string[] | undefined,
  trusted: TrustedProxies,
): boolean {
  if (encrypted) return true;
  const peer = parseAddress(socketAddress);
  if (!peer || !trusted.contains(peer) || forwardedProto === undefined) return false;
  const values = forwardedEntries(forwardedProto);
  return values[values.length - 1]?.trim().toLowerCase() === 'https';
}
