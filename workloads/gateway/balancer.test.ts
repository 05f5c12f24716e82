import { describe, expect, it } from '@jest/globals';
import { Balancer, parseUpstreams } from './balancer.js';
import type { Instance, Strategy } from './balancer.js';

const specs = [
  { url: 'http://a:1', weight: 5 },
  { url: 'http://b:1', weight: 3 },
  { url: 'http://c:1', weight: 2 },
];

function tally(balancer: Balancer, n: number, ip = (i: number) => `10.0.0.${i % 250}`): Record<string, number> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i += 1) {
    const chosen = balancer.pick({ clientIp: ip(i) });
    counts[chosen.url] = (counts[chosen.url] ?? 0) + 1;
  }
  return counts;
}

describe('parseUpstreams', () => {
  it('reads urls and weights', () => {
    expect(parseUpstreams('http://a:8080, http://b:8080;weight=3')).toEqual([
      { url: 'http://a:8080', weight: 1 },
      { url: 'http://b:8080', weight: 3 },
    ]);
  });

  it('rejects bad entries', () => {
    expect(() => parseUpstreams('ftp://x')).toThrow(/http/);
    expect(() => parseUpstreams('http://x;w=2')).toThrow(/weight/);
    expect(() => parseUpstreams('http://x;weight=0')).toThrow(/at least 1/);
  });
});

describe('Balancer', () => {
  it('round robin spreads evenly', () => {
    expect(tally(new Balancer(specs, { strategy: 'round-robin' }), 300)).toEqual({ 'http://a:1': 100, 'http://b:1': 100, 'http://c:1': 100 });
  });

  it('weighted spreads in proportion to the weights, smoothly', () => {
    const balancer = new Balancer(specs, { strategy: 'weighted' });
    expect(tally(balancer, 1000)).toEqual({ 'http://a:1': 500, 'http://b:1': 300, 'http://c:1': 200 });
    const firstTen = Array.from({ length: 10 }, () => balancer.pick({ clientIp: 'x' }).url);
    // Smooth: the heaviest instance never takes more than two in a row in this cycle.
    expect(firstTen.join(',')).not.toContain('http://a:1,http://a:1,http://a:1');
  });

  it('ip hash keeps each client on one instance and still uses all of them', () => {
    const balancer = new Balancer(specs, { strategy: 'ip-hash' });
    for (const ip of ['10.0.0.1', '192.168.1.7', '::1']) {
      const first = balancer.pick({ clientIp: ip }).url;
      for (let i = 0; i < 20; i += 1) expect(balancer.pick({ clientIp: ip }).url).toBe(first);
    }
    expect(Object.keys(tally(balancer, 250)).length).toBe(3);
  });

  it('least connections prefers the idle instance', () => {
    const balancer = new Balancer(specs, { strategy: 'least-connections' });
    const [a, b] = balancer.instances as [Instance, Instance, Instance];
    balancer.acquire(a);
    balancer.acquire(a);
    balancer.acquire(b);
    expect(balancer.pick({ clientIp: 'x' }).url).toBe('http://c:1');
    balancer.release(a);
    balancer.release(a);
    const idle = new Set([balancer.pick({ clientIp: 'x' }).url, balancer.pick({ clientIp: 'x' }).url]);
    expect(idle).toEqual(new Set(['http://a:1', 'http://c:1']));
  });

  it.each<Strategy>(['round-robin', 'least-connections', 'ip-hash', 'weighted'])('sticky sessions pin a client whatever the strategy (%s)', (strategy) => {
    const balancer = new Balancer(specs, { strategy, sticky: true });
    const pinned = balancer.instances[2] as Instance;
    for (let i = 0; i < 30; i += 1) expect(balancer.pick({ clientIp: `1.1.1.${i}`, affinity: pinned.id })).toBe(pinned);
    // An unknown affinity falls back to the strategy.
    expect(balancer.instances).toContain(balancer.pick({ clientIp: '1.1.1.1', affinity: 'nope' }));
  });

  it('takes a failing instance out for the fail timeout, then back', () => {
    let now = 1000;
    const balancer = new Balancer(specs, { strategy: 'round-robin', failTimeoutMs: 500, now: () => now });
    const down = balancer.instances[0] as Instance;
    balancer.markFailure(down);
    expect(Object.keys(tally(balancer, 30))).not.toContain(down.url);
    now += 600;
    expect(Object.keys(tally(balancer, 30))).toContain(down.url);
  });

  it('excludes instances already tried, and uses any when all are down', () => {
    const balancer = new Balancer(specs, { strategy: 'round-robin' });
    const tried = new Set(balancer.instances.slice(0, 2).map((i) => i.id));
    expect(balancer.pick({ clientIp: 'x' }, tried).url).toBe('http://c:1');
    for (const instance of balancer.instances) balancer.markFailure(instance);
    expect(balancer.instances).toContain(balancer.pick({ clientIp: 'x' }));
  });
});
