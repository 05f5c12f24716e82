import { describe, expect, it } from '@jest/globals';
import { arrivedOverTls, clientAddress, parseAddress, parseTrustedProxies } from './client-address.js';

describe('parseAddress', () => {
  it.each([
    ['10.0.0.1', '10.0.0.1', 'ipv4'],
    [' 10.0.0.1 ', '10.0.0.1', 'ipv4'],
    ['10.0.0.1:5678', '10.0.0.1', 'ipv4'],
    ['2001:db8::1', '2001:db8::1', 'ipv6'],
    ['[2001:DB8::1]:443', '2001:db8::1', 'ipv6'],
    ['::ffff:10.0.0.1', '10.0.0.1', 'ipv4'],
    ['::ffff:a00:1', '10.0.0.1', 'ipv4'],
    ['[::ffff:192.168.1.9]', '192.168.1.9', 'ipv4'],
  ])('reads %j as %s (%s)', (text, address, family) => {
    expect(parseAddress(text)).toEqual({ address, family });
  });

  it.each(['unknown', '', 'evil.example', '_hidden', '10.0.0', '10.0.0.256', 'fe80::1%eth0', '1.2.3.4, 5.6.7.8', '[10.0.0.1'])(
    'refuses %j',
    (text) => {
      expect(parseAddress(text)).toBeUndefined();
    },
  );
});

describe('parseTrustedProxies', () => {
  it('matches addresses and CIDRs of both families, IPv4-mapped forms included', () => {
    const trusted = parseTrustedProxies('10.0.0.0/8, 192.168.1.7, fd00::/8, ::ffff:172.16.0.0/108');
    expect(trusted.size).toBe(4);
    const has = (text: string): boolean => trusted.contains(parseAddress(text) ?? { address: '', family: 'ipv4' });
    expect(has('10.200.3.4')).toBe(true);
    expect(has('::ffff:10.200.3.4')).toBe(true);
    expect(has('192.168.1.7')).toBe(true);
    expect(has('192.168.1.8')).toBe(false);
    expect(has('fd12::9')).toBe(true);
    expect(has('fe80::1')).toBe(false);
    expect(has('172.16.9.9')).toBe(true);
    expect(has('172.32.0.1')).toBe(false);
    expect(has('11.0.0.1')).toBe(false);
  });

  it('trusts nothing when empty', () => {
    const trusted = parseTrustedProxies('');
    expect(trusted.size).toBe(0);
    expect(trusted.contains({ address: '127.0.0.1', family: 'ipv4' })).toBe(false);
  });

  it.each(['10.0.0.0/33', 'not-an-ip', '10.0.0.0/8/1', 'fd00::/129', '::ffff:10.0.0.0/64', '10.0.0.0/x', '[::1]/128'])(
    'refuses %j, naming it',
    (entry) => {
      expect(() => parseTrustedProxies(`127.0.0.1, ${entry}`)).toThrow(entry);
    },
  );
});

describe('clientAddress', () => {
  const ingress = parseTrustedProxies('10.0.0.0/8');
  const none = parseTrustedProxies('');

  it('with no trusted proxy, the socket address is the client and X-Forwarded-For is ignored', () => {
    expect(clientAddress('203.0.113.9', '1.2.3.4', none)).toBe('203.0.113.9');
    expect(clientAddress('::ffff:203.0.113.9', undefined, none)).toBe('203.0.113.9');
  });

  it('a client that talks to the gateway directly cannot choose its address with a forged header', () => {
    expect(clientAddress('203.0.113.9', '10.0.0.5, 1.2.3.4', ingress)).toBe('203.0.113.9');
  });

  it('behind a trusted proxy, the client is the address the proxy appended, not what the client wrote on the left', () => {
    // The client sent "X-Forwarded-For: 1.1.1.1"; the ingress appended the address it saw.
    expect(clientAddress('10.0.0.2', '1.1.1.1, 198.51.100.7', ingress)).toBe('198.51.100.7');
    // A forged trusted-looking entry on the left does not help either: the walk stops at the first untrusted hop.
    expect(clientAddress('10.0.0.2', '10.9.9.9, 198.51.100.7', ingress)).toBe('198.51.100.7');
    // Each request with a different forged left-hand part still counts against the same client.
    const forged = Array.from({ length: 50 }, (_, i) => clientAddress('10.0.0.2', `192.0.2.${i}, 198.51.100.7`, ingress));
    expect(new Set(forged)).toEqual(new Set(['198.51.100.7']));
  });

  it('walks through a chain of trusted proxies to the first untrusted hop', () => {
    expect(clientAddress('10.0.0.2', '1.1.1.1, 198.51.100.7, 10.1.1.1, 10.2.2.2', ingress)).toBe('198.51.100.7');
    expect(clientAddress('::ffff:10.0.0.2', '2001:db8::7, ::ffff:10.3.3.3', ingress)).toBe('2001:db8::7');
    expect(clientAddress('10.0.0.2', ['1.1.1.1', '198.51.100.7'], ingress)).toBe('198.51.100.7');
  });

  it('a malformed entry stops the walk at the last trusted hop', () => {
    expect(clientAddress('10.0.0.2', '198.51.100.7, garbage', ingress)).toBe('10.0.0.2');
    expect(clientAddress('10.0.0.2', '198.51.100.7, 10.1.1.1, unknown, 10.3.3.3', ingress)).toBe('10.3.3.3');
  });

  it('when every hop is trusted (internal traffic), the left-most is the client', () => {
    expect(clientAddress('10.0.0.2', '10.0.0.3', ingress)).toBe('10.0.0.3');
    expect(clientAddress('10.0.0.2', undefined, ingress)).toBe('10.0.0.2');
  });

  it('an endless header costs a bounded walk', () => {
    const long = Array.from({ length: 2000 }, (_, i) => `10.0.${i % 250}.1`).join(',');
    expect(clientAddress('10.0.0.2', long, ingress)).toMatch(/^10\.0\./);
  });
});

describe('arrivedOverTls', () => {
  const ingress = parseTrustedProxies('10.0.0.0/8');

  it('believes X-Forwarded-Proto only from a trusted proxy', () => {
    expect(arrivedOverTls(true, '203.0.113.9', undefined, ingress)).toBe(true);
    expect(arrivedOverTls(false, '203.0.113.9', 'https', ingress)).toBe(false);
    expect(arrivedOverTls(false, '10.0.0.2', 'https', ingress)).toBe(true);
    expect(arrivedOverTls(false, '10.0.0.2', 'https, http', ingress)).toBe(false);
    expect(arrivedOverTls(false, '10.0.0.2', undefined, ingress)).toBe(false);
  });
});
