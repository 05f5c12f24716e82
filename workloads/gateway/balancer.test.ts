import { describe, expect, it } from '@jest/globals';
import { Balancer, PASSIVE_HEALTH, parseUpstreams } from './balancer.js';
import type { Instance, Strategy } from './balancer.js';

const urls = ['http://a:1', 'http://b:1', 'http://c:1'];

function tally(balancer: Balancer, n: number, ip = (i: number) => `10.0.0.${i % 250}`): Record<string, number> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i += 1) {
    const chosen = balancer.pick({ clientIp: ip(i) }) as Instance;
    counts[chosen.url] = (counts[chosen.url] ?? 0) + 1;
  }
  return counts;
}

describe('parseUpstreams', () => {
  it('reads urls, names or addresses, http or https', () => {
    expect(parseUpstreams('http://a:8080, http://10.0.0.7:8080')).toEqual([{ url: 'http://a:8080' }, { url: 'http://10.0.0.7:8080' }]);
    expect(parseUpstreams('https://p-kyc-pods:8080')).toEqual([{ url: 'https://p-kyc-pods:8080' }]);
  });

  it('rejects bad entries, and the weights that are gone', () => {
    expect(() => parseUpstreams('ftp://x')).toThrow(/http/);
    expect(() => parseUpstreams('http://x:1/path')).toThrow(/host:port only/);
    expect(() => parseUpstreams('http://x:1;weight=2')).toThrow(/weight=N is gone/);
  });
});

describe('Balancer', () => {
  it('round robin spreads evenly', () => {
    expect(tally(new Balancer(urls, { strategy: 'round-robin' }), 300)).toEqual({
      'http://a:1': 100,
      'http://b:1': 100,
      'http://c:1': 100,
    });
  });

  it('ip hash keeps each client on one instance and still uses all of them', () => {
    const balancer = new Balancer(urls, { strategy: 'ip-hash' });
    for (const ip of ['10.0.0.1', '192.168.1.7', '::1']) {
      const first = balancer.pick({ clientIp: ip })?.url;
      for (let i = 0; i < 20; i += 1) expect(balancer.pick({ clientIp: ip })?.url).toBe(first);
    }
    expect(Object.keys(tally(balancer, 250)).length).toBe(3);
  });

  it('ip hash: a scale-out moves only the clients the new instance takes', () => {
    const balancer = new Balancer(urls, { strategy: 'ip-hash' });
    const clients = Array.from({ length: 400 }, (_, i) => `10.1.${i >> 8}.${i & 255}`);
    const before = new Map(clients.map((ip) => [ip, balancer.pick({ clientIp: ip })?.url]));
    balancer.setInstances([...urls, 'http://d:1']);
    const moved = clients.filter((ip) => balancer.pick({ clientIp: ip })?.url !== before.get(ip));
    // About a quarter move, all of them to the new instance (a modulo would move about three quarters).
    expect(moved.length).toBeGreaterThan(50);
    expect(moved.length).toBeLessThan(160);
    for (const ip of moved) expect(balancer.pick({ clientIp: ip })?.url).toBe('http://d:1');
  });

  it('least connections prefers the idle instance', () => {
    const balancer = new Balancer(urls, { strategy: 'least-connections' });
    const [a, b] = balancer.instances as [Instance, Instance, Instance];
    balancer.acquire(a);
    balancer.acquire(a);
    balancer.acquire(b);
    expect(balancer.pick({ clientIp: 'x' })?.url).toBe('http://c:1');
    balancer.release(a);
    balancer.release(a);
    const idle = new Set([balancer.pick({ clientIp: 'x' })?.url, balancer.pick({ clientIp: 'x' })?.url]);
    expect(idle).toEqual(new Set(['http://a:1', 'http://c:1']));
  });

  it.each<Strategy>(['round-robin', 'least-connections', 'ip-hash'])(
    'sticky sessions pin a client whatever the strategy (%s)',
    (strategy) => {
      const balancer = new Balancer(urls, { strategy, sticky: true });
      const pinned = balancer.instances[2] as Instance;
      for (let i = 0; i < 30; i += 1) expect(balancer.pick({ clientIp: `1.1.1.${i}`, affinity: pinned.id })).toBe(pinned);
      // An unknown affinity falls back to the strategy.
      expect(balancer.instances).toContain(balancer.pick({ clientIp: '1.1.1.1', affinity: 'nope' }));
    },
  );

  it('a policy swap keeps the sticky mapping, the counters of requests in flight and the ejections', () => {
    let now = 1000;
    const balancer = new Balancer(urls, { strategy: 'round-robin', sticky: true, maxFails: 1, now: () => now });
    const [a, b, c] = balancer.instances as [Instance, Instance, Instance];
    balancer.acquire(b); // a request in flight on b across the swap
    balancer.markFailure(c); // c sits out
    balancer.configure({ strategy: 'least-connections', sticky: true });
    expect(balancer.policy).toEqual({ strategy: 'least-connections', sticky: true });
    expect(balancer.instances).toEqual([a, b, c]);
    for (let i = 0; i < 5; i += 1) expect(balancer.pick({ clientIp: 'x', affinity: b.id })).toBe(b);
    // Least connections sees b's request in flight and c's ejection: a, the only idle usable one.
    expect(balancer.pick({ clientIp: 'x' })).toBe(a);
    balancer.release(b);
    expect(b.active).toBe(0);
    // Sticky turned off: the cookie no longer pins, the strategy decides.
    balancer.configure({ strategy: 'ip-hash', sticky: false });
    const home = balancer.pick({ clientIp: '10.0.0.1' });
    for (let i = 0; i < 5; i += 1) expect(balancer.pick({ clientIp: '10.0.0.1', affinity: b.id === home?.id ? a.id : b.id })).toBe(home);
    now += PASSIVE_HEALTH.ejectMs;
    expect(balancer.isEjected(c)).toBe(false);
  });

  it('passive health check: 3 failures in a row eject an instance for 30 s, then it is back', () => {
    let now = 1000;
    const balancer = new Balancer(urls, { strategy: 'round-robin', now: () => now });
    const down = balancer.instances[0] as Instance;
    balancer.markFailure(down);
    balancer.markFailure(down);
    expect(Object.keys(tally(balancer, 30))).toContain(down.url);
    // A success in between starts the count again.
    balancer.markSuccess(down);
    balancer.markFailure(down);
    balancer.markFailure(down);
    expect(balancer.isEjected(down)).toBe(false);
    balancer.markFailure(down);
    expect(balancer.isEjected(down)).toBe(true);
    expect(Object.keys(tally(balancer, 30))).not.toContain(down.url);
    now += PASSIVE_HEALTH.ejectMs - 1;
    expect(Object.keys(tally(balancer, 30))).not.toContain(down.url);
    now += 1;
    expect(Object.keys(tally(balancer, 30))).toContain(down.url);
    expect(PASSIVE_HEALTH).toEqual({ maxFails: 3, ejectMs: 30_000 });
  });

  it('excludes instances already tried, and uses any when all are ejected', () => {
    const balancer = new Balancer(urls, { strategy: 'round-robin', maxFails: 1 });
    const tried = new Set(balancer.instances.slice(0, 2).map((i) => i.id));
    expect(balancer.pick({ clientIp: 'x' }, tried)?.url).toBe('http://c:1');
    for (const instance of balancer.instances) balancer.markFailure(instance);
    expect(balancer.instances).toContain(balancer.pick({ clientIp: 'x' }));
  });

  it('follows the instances discovery finds: a stayer keeps its counters, a gone one leaves, none means no pick', () => {
    let now = 0;
    const balancer = new Balancer(['http://b:1', 'http://a:1'], { strategy: 'least-connections', maxFails: 1, now: () => now });
    const [a, b] = balancer.instances as [Instance, Instance];
    expect(a.url).toBe('http://a:1');
    balancer.acquire(a);
    balancer.markFailure(b);
    expect(balancer.setInstances(['http://c:1', 'http://a:1', 'http://b:1'])).toEqual({ added: ['http://c:1'], removed: [] });
    expect(balancer.byId(a.id)?.active).toBe(1);
    expect(balancer.isEjected(balancer.byId(b.id) as Instance)).toBe(true);
    expect(balancer.pick({ clientIp: 'x' })?.url).toBe('http://c:1');
    expect(balancer.setInstances(['http://b:1'])).toEqual({ added: [], removed: ['http://a:1', 'http://c:1'] });
    // The only instance, though ejected: better to try it than to refuse.
    expect(balancer.pick({ clientIp: 'x' })?.url).toBe('http://b:1');
    now += 60_000;
    balancer.setInstances([]);
    expect(balancer.pick({ clientIp: 'x' })).toBeUndefined();
  });
});
