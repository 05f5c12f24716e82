import { describe, expect, it } from '@jest/globals';
import { Discovery } from './discovery.js';
import type { Resolve } from './discovery.js';

/** A resolver the test sets: name → addresses, or an error to throw. */
function fakeDns(): { resolve: Resolve; records: Map<string, string[] | Error>; asked: string[] } {
  const records = new Map<string, string[] | Error>();
  const asked: string[] = [];
  const resolve: Resolve = (hostname) => {
    asked.push(hostname);
    const answer = records.get(hostname) ?? [];
    return answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer);
  };
  return { resolve, records, asked };
}

describe('Discovery', () => {
  it('turns the A records of a name into instances, and tells only changes', async () => {
    const dns = fakeDns();
    dns.records.set('p-kyc-pods', ['10.0.0.9', '10.0.0.7']);
    const changes: string[][] = [];
    const discovery = new Discovery(['http://p-kyc-pods:8080'], { resolve: dns.resolve, onChange: (urls) => changes.push(urls) });
    await discovery.refresh();
    await discovery.refresh();
    dns.records.set('p-kyc-pods', ['10.0.0.7', '10.0.0.9', '10.0.0.8']); // scale-out (order shuffled)
    await discovery.refresh();
    dns.records.set('p-kyc-pods', ['10.0.0.8']); // two pods gone
    await discovery.refresh();
    dns.records.set('p-kyc-pods', []); // every pod gone
    await discovery.refresh();
    expect(changes).toEqual([
      ['http://10.0.0.7:8080', 'http://10.0.0.9:8080'],
      ['http://10.0.0.7:8080', 'http://10.0.0.8:8080', 'http://10.0.0.9:8080'],
      ['http://10.0.0.8:8080'],
      [],
    ]);
  });

  it('keeps the last answer when the resolver fails, and brackets IPv6 addresses', async () => {
    const dns = fakeDns();
    dns.records.set('p-auth-pods', ['fd00::5']);
    const changes: string[][] = [];
    const errors: string[] = [];
    const discovery = new Discovery(['http://p-auth-pods:8080'], {
      resolve: dns.resolve,
      onChange: (urls) => changes.push(urls),
      onError: (host) => errors.push(host),
    });
    await discovery.refresh();
    dns.records.set('p-auth-pods', Object.assign(new Error('timeout'), { code: 'ETIMEOUT' }));
    await discovery.refresh();
    expect(changes).toEqual([['http://[fd00::5]:8080']]);
    expect(errors).toEqual(['p-auth-pods']);
  });

  it('never resolves an address, and runs no timer for fixed instances', async () => {
    const dns = fakeDns();
    const changes: string[][] = [];
    const discovery = new Discovery(['http://127.0.0.1:1', 'http://[::1]:2'], {
      resolve: dns.resolve,
      onChange: (urls) => changes.push(urls),
    });
    expect(discovery.dynamic).toBe(false);
    await discovery.start();
    discovery.stop();
    expect(dns.asked).toEqual([]);
    expect(changes).toEqual([['http://127.0.0.1:1', 'http://[::1]:2']]);
  });

  it('keeps the target’s scheme, and knows each instance’s target name (an address target has none)', async () => {
    const dns = fakeDns();
    dns.records.set('p-kyc-pods', ['10.0.0.1', '10.0.0.2']);
    const changes: string[][] = [];
    const discovery = new Discovery(['https://p-kyc-pods:8080', 'https://10.0.0.9:8080'], {
      resolve: dns.resolve,
      onChange: (urls) => changes.push(urls),
    });
    await discovery.refresh();
    expect(changes).toEqual([['https://10.0.0.1:8080', 'https://10.0.0.2:8080', 'https://10.0.0.9:8080']]);
    expect(['https://10.0.0.1:8080', 'https://10.0.0.2:8080', 'https://10.0.0.9:8080'].map((url) => discovery.nameOf(url))).toEqual([
      'p-kyc-pods',
      'p-kyc-pods',
      undefined,
    ]);
  });

  it('resolves every interval, and a failure asks at once but only once per gap', async () => {
    const dns = fakeDns();
    dns.records.set('p-kyc-pods', ['10.0.0.1']);
    let now = 0;
    const discovery = new Discovery(['http://p-kyc-pods:8080'], {
      resolve: dns.resolve,
      intervalMs: 20,
      minGapMs: 500,
      now: () => now,
      onChange: () => undefined,
    });
    await discovery.start();
    await new Promise((resolve) => setTimeout(resolve, 110));
    discovery.stop();
    const afterTimer = dns.asked.length;
    expect(afterTimer).toBeGreaterThanOrEqual(3);
    now = 10_000;
    discovery.suspect();
    discovery.suspect();
    await discovery.refresh();
    // The first suspicion asked, the second fell in the gap, refresh() joined the one under way.
    expect(dns.asked.length).toBe(afterTimer + 1);
  });
});
