import { describe, expect, it } from '@jest/globals';
import { platform } from '../api/fixtures.js';
import type { KubeResource } from '../runtime/kube.js';
import { healthTargets, PodHealthPoller } from './pod-health.js';

const pod = (
  name: string,
  component: string,
  extra: { phase?: string; podIP?: string; deleting?: boolean } = {},
): KubeResource & { status: { phase?: string; podIP?: string } } => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: {
    name,
    labels: { 'app.kubernetes.io/component': component },
    ...(extra.deleting && { deletionTimestamp: '2026-12-05T13:00:00Z' }),
  },
  status: { phase: extra.phase ?? 'Running', podIP: extra.podIP ?? '10.0.0.1' },
});

describe('healthTargets', () => {
  it('asks only running pods with an address, not going away, of a known component, at most maxPods, on the metrics port', () => {
    const targets = healthTargets(
      [
        pod('a', 'kyc'),
        pod('b', 'kyc', { phase: 'Pending' }),
        pod('c', 'kyc', { deleting: true }),
        pod('d', 'platform'),
        pod('e', 'auth', { podIP: 'fd00::5' }),
        pod('f', 'gateway'),
      ],
      2,
    );
    expect(targets).toEqual([
      { component: 'kyc', pod: 'a', url: 'http://10.0.0.1:9090/health' },
      { component: 'auth', pod: 'e', url: 'http://[fd00::5]:9090/health' },
    ]);
  });
});

describe('PodHealthPoller', () => {
  const p = { ...platform({}), metadata: { name: 'acme', namespace: 'shop' } };

  it('reads every pod at most once per interval, in batches, and leaves a pod that does not answer without checks', async () => {
    let clock = 0;
    let inFlight = 0;
    let most = 0;
    const lists: string[] = [];
    const client = {
      list: (_type: unknown, namespace: string, options?: { labelSelector?: string }) => {
        lists.push(`${namespace} ${options?.labelSelector ?? ''}`);
        return Promise.resolve({ items: ['k1', 'k2', 'k3'].map((name) => pod(name, 'kyc', { podIP: `10.0.0.${name.slice(1)}` })) });
      },
    } as unknown as ConstructorParameters<typeof PodHealthPoller>[0];
    const poller = new PodHealthPoller(client, {
      concurrency: 2,
      now: () => clock,
      fetchChecks: async (url) => {
        inFlight += 1;
        most = Math.max(most, inFlight);
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight -= 1;
        if (url.includes('10.0.0.3')) throw new Error('timeout');
        return { database: 'ERROR', cache: 'OK', externalAPIs: 'OK' };
      },
    });

    const first = await poller.observe('shop/acme', p);
    expect(first?.map((h) => [h.pod, h.checks?.database])).toEqual([
      ['k1', 'ERROR'],
      ['k2', 'ERROR'],
      ['k3', undefined],
    ]);
    expect(most).toBe(2);
    expect(lists).toEqual(['shop app.kubernetes.io/instance=acme,app.kubernetes.io/name=kyc-platform']);
    clock = 14_999;
    expect(await poller.observe('shop/acme', p)).toBeUndefined();
    clock = 15_000;
    expect(await poller.observe('shop/acme', p)).toHaveLength(3);
  });

  it('when the round runs out of its budget, then the pods not asked yet are left without checks', async () => {
    let clock = 0;
    const asked: string[] = [];
    const client = {
      list: () => Promise.resolve({ items: ['k1', 'k2', 'k3'].map((name) => pod(name, 'kyc', { podIP: `10.0.0.${name.slice(1)}` })) }),
    } as unknown as ConstructorParameters<typeof PodHealthPoller>[0];
    const poller = new PodHealthPoller(client, {
      concurrency: 1,
      roundBudgetMs: 3000,
      now: () => clock,
      fetchChecks: (url, timeoutMs) => {
        asked.push(`${url} ${timeoutMs}`);
        clock += 2500; // each answer takes 2.5 s
        return Promise.resolve({ database: 'OK', cache: 'OK', externalAPIs: 'OK' });
      },
    });
    const round = await poller.observe('shop/acme', p);
    expect(round?.map((h) => h.checks !== undefined)).toEqual([true, true, false]);
    // tls BuiltIn (the default): the metrics port speaks HTTPS.
    expect(asked).toEqual(['https://10.0.0.1:9090/health 2000', 'https://10.0.0.2:9090/health 500']);
  });

  it('under tls BuiltIn asks over https trusting the platform bundle for the component’s Service name; under Disabled over plain http', async () => {
    const client = {
      list: () => Promise.resolve({ items: [pod('k1', 'kyc', { podIP: '10.0.0.1' })] }),
    } as unknown as ConstructorParameters<typeof PodHealthPoller>[0];
    const asked: unknown[] = [];
    const poller = new PodHealthPoller(client, {
      trust: { forComponent: (_p, component) => Promise.resolve({ ca: 'BUNDLE', servername: `acme-${component}` }) },
      fetchChecks: (url, _timeoutMs, tls) => {
        asked.push([url, tls]);
        return Promise.resolve({ database: 'OK', cache: 'OK', externalAPIs: 'OK' });
      },
    });
    await poller.observe('shop/acme', p);
    const off = { ...p, spec: { ...p.spec, profile: 'development' as const, tls: { mode: 'Disabled' as const } } };
    await poller.observe('shop/acme-off', off);
    expect(asked).toEqual([
      ['https://10.0.0.1:9090/health', { ca: 'BUNDLE', servername: 'acme-kyc' }],
      ['http://10.0.0.1:9090/health', undefined],
    ]);
  });

  it('when there are more platforms than the rounds a second allow in the interval, then each one’s rounds spread out', async () => {
    let lists = 0;
    const client = {
      list: () => {
        lists += 1;
        return Promise.resolve({ items: [], resourceVersion: '1' });
      },
    } as unknown as ConstructorParameters<typeof PodHealthPoller>[0];
    let clock = 0;
    const poller = new PodHealthPoller(client, { intervalMs: 15_000, roundsPerSecond: 10, now: () => clock });
    expect(poller.intervalMs).toBe(15_000);
    for (let i = 0; i < 150; i += 1) await poller.observe(`shop/p${i}`, p);
    expect(poller.intervalMs).toBe(15_000);
    for (let i = 150; i < 1000; i += 1) await poller.observe(`shop/p${i}`, p);
    // 1,000 platforms at 10 rounds a second: each is looked at every 100 s.
    expect(poller.intervalMs).toBe(100_000);
    clock = 99_999;
    expect(await poller.observe('shop/p0', p)).toBeUndefined();
    expect(lists).toBe(1000);
    clock = 100_000;
    expect(await poller.observe('shop/p0', p)).toEqual([]);
    expect(lists).toBe(1001);
    // Deleted platforms are forgotten: the interval comes back down.
    for (let i = 0; i < 900; i += 1) poller.forget(`shop/p${i}`);
    expect(poller.intervalMs).toBe(15_000);
  });

  it('when a pass comes between two rounds, then the next round is due an interval after the last round, not after that pass', async () => {
    const client = {
      list: () => Promise.resolve({ items: [], resourceVersion: '1' }),
    } as unknown as ConstructorParameters<typeof PodHealthPoller>[0];
    let clock = 0;
    const poller = new PodHealthPoller(client, { intervalMs: 15_000, now: () => clock });
    expect(poller.nextRoundInMs('shop/acme')).toBe(0); // never looked at: due now
    expect(await poller.observe('shop/acme', p)).toEqual([]);
    expect(poller.nextRoundInMs('shop/acme')).toBe(15_000);
    // A pod's event brings a pass 14 s later: no round, and the next one stays due at 15 s, 1 s from now.
    clock = 14_000;
    expect(await poller.observe('shop/acme', p)).toBeUndefined();
    expect(poller.nextRoundInMs('shop/acme')).toBe(1_000);
    clock = 15_000;
    expect(await poller.observe('shop/acme', p)).toEqual([]);
    expect(poller.nextRoundInMs('shop/acme')).toBe(15_000);
  });

  it('when the pods cannot be listed, then nothing is observed (the pass goes on)', async () => {
    const client = { list: () => Promise.reject(new Error('forbidden')) } as unknown as ConstructorParameters<typeof PodHealthPoller>[0];
    expect(await new PodHealthPoller(client).observe('shop/acme', p)).toBeUndefined();
  });
});
