// Where a webhook may be sent (docs/customer-api.md, "Webhooks"): the URL an admin registers is checked
// here, and every address it resolves to is checked again at delivery time (data-access/webhook-http.ts
// connects only to an address that passed), so a name that later resolves into the cluster, the node or
// a cloud metadata service (DNS rebinding) reaches nothing. Private, loopback, link-local, shared,
// documentation and multicast ranges are refused unless a network is listed in
// NOTIFICATION_WEBHOOK_ALLOWED_NETWORKS (an integrator inside the bank's network).
import { BlockList, isIP } from 'node:net';

const FORBIDDEN: Array<[string, number, 'ipv4' | 'ipv6']> = [
  ['0.0.0.0', 8, 'ipv4'], // "this network"
  ['10.0.0.0', 8, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'], // carrier-grade NAT
  ['127.0.0.0', 8, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'], // link-local, cloud metadata (169.254.169.254)
  ['172.16.0.0', 12, 'ipv4'],
  ['192.0.0.0', 24, 'ipv4'],
  ['192.0.2.0', 24, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['198.18.0.0', 15, 'ipv4'],
  ['198.51.100.0', 24, 'ipv4'],
  ['203.0.113.0', 24, 'ipv4'],
  ['224.0.0.0', 4, 'ipv4'], // multicast
  ['240.0.0.0', 4, 'ipv4'], // reserved, broadcast
  ['::', 128, 'ipv6'],
  ['::1', 128, 'ipv6'],
  ['::ffff:0:0', 96, 'ipv6'], // IPv4-mapped: would carry any IPv4 address past the list above
  ['64:ff9b::', 96, 'ipv6'], // NAT64, likewise
  ['100::', 64, 'ipv6'],
  ['2001:db8::', 32, 'ipv6'],
  ['fc00::', 7, 'ipv6'], // unique local, AWS metadata fd00:ec2::254
  ['fe80::', 10, 'ipv6'],
  ['ff00::', 8, 'ipv6'],
];

// One list per family: a BlockList matches IPv4 addresses against IPv4-mapped IPv6 rules too, and
// ::ffff:0:0/96 would then refuse every IPv4 address.
const forbidden = { ipv4: new BlockList(), ipv6: new BlockList() };
for (const [network, prefix, family] of FORBIDDEN) forbidden[family].addSubnet(network, prefix, family);

/** Names that are the machine itself, the cluster or a metadata service whatever they resolve to. */
const FORBIDDEN_NAMES = [/^localhost$/, /\.localhost$/, /\.local$/, /\.internal$/, /\.svc$/, /\.cluster\.local$/];

/** The networks an operator let webhooks reach despite the list above (`a.b.c.d/n` or `x::/n`, comma-separated). */
export class AllowedNetworks {
  private readonly list = new BlockList();
  constructor(readonly networks: string[] = []) {
    for (const entry of networks) {
      const [network, bits] = entry.split('/');
      const family = isIP(network ?? '');
      const prefix = Number(bits);
      if (family === 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128))
        throw new Error(`${entry} is not a network (a.b.c.d/n or x::/n)`);
      this.list.addSubnet(network as string, prefix, family === 4 ? 'ipv4' : 'ipv6');
    }
  }
  has(address: string): boolean {
    const family = isIP(address);
    return family !== 0 && this.list.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }
}

/** Why an address may not be the destination of a webhook, or undefined when it may. */
export function forbiddenAddress(address: string, allowed: AllowedNetworks): string | undefined {
  const family = isIP(address);
  if (family === 0) return `${address} is not an IP address`;
  if (allowed.has(address)) return undefined;
  const kind = family === 4 ? 'ipv4' : 'ipv6';
  return forbidden[kind].check(address, kind)
    ? 'is a private, loopback, link-local or reserved address; webhooks go to public addresses only'
    : undefined;
}

export interface UrlRules {
  /** Plain http (development platforms only); otherwise https only. */
  allowHttp: boolean;
  allowed: AllowedNetworks;
}

/** Why a URL may not be registered as a webhook, or undefined when it may. */
export function webhookUrlProblem(raw: string, rules: UrlRules): string | undefined {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL';
  }
  if (url.protocol !== 'https:' && !(rules.allowHttp && url.protocol === 'http:'))
    return rules.allowHttp ? 'must be an https or http URL' : 'must be an https URL';
  if (url.username !== '' || url.password !== '') return 'must not carry credentials (user:password@)';
  if (url.hash !== '') return 'must not have a fragment';
  // The WHATWG parser has already turned decimal, octal and hex forms (http://2130706433/) into dotted
  // IPv4, and bracketed IPv6 keeps its brackets.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  if (isIP(host) !== 0) return forbiddenAddress(host, rules.allowed);
  if (FORBIDDEN_NAMES.some((name) => name.test(host.replace(/\.$/, '')))) return 'names a local, cluster or metadata host';
  // A single label (`kyc-auth`) is a name the cluster's search path completes: a service inside it.
  if (!host.includes('.')) return 'must name a fully qualified host';
  return undefined;
}
