import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { Resolve } from './discovery.js';
import { NoInstancesError, Upstream } from './upstream.js';

// Three "pods" of one upstream: servers on 127.0.0.1, .2 and .3 with one port, as pods share the
// container port; a fake resolver plays the headless Service's A records.
const ADDRESSES = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];
const breaker = { timeoutMs: 2000, errorThresholdPercentage: 50, resetTimeoutMs: 30_000, volumeThreshold: 1000, rollingWindowMs: 10_000 };

describe('Upstream over discovered pods', () => {
  const servers = new Map<string, http.Server>();
  let port = 0;
  let records: string[] = [];
  const resolve: Resolve = () => Promise.resolve(records);
  const upstreams: Upstream[] = [];

  async function listen(address: string): Promise<void> {
    const server = http.createServer((req, res) => res.end(address));
    await new Promise<void>((done) => server.listen(port, address, done));
    port = (server.address() as AddressInfo).port;
    servers.set(address, server);
  }

  async function stop(address: string): Promise<void> {
    const server = servers.get(address);
    servers.delete(address);
    server?.closeAllConnections();
    await new Promise((done) => server?.close(done));
  }

  beforeAll(async () => {
    for (const address of ADDRESSES) await listen(address);
  });

  afterEach(() => {
    for (const upstream of upstreams.splice(0)) upstream.close();
  });

  afterAll(async () => {
    for (const address of [...servers.keys()]) await stop(address);
  });

  function upstream(now?: () => number): Upstream {
    const made = new Upstream('kyc', [{ url: `http://p-kyc-pods:${port}` }], {
      strategy: 'round-robin',
      sticky: false,
      breaker,
      resolve,
      discoveryIntervalMs: 60_000,
      ...(now && { now }),
    });
    upstreams.push(made);
    return made;
  }

  async function tally(target: Upstream, n: number): Promise<Record<string, number>> {
    const counts: Record<string, number> = {};
    for (let i = 0; i < n; i += 1) {
      const { response } = await target.forward({ method: 'GET', path: '/', headers: {} }, { clientIp: '10.0.0.1' });
      const who = response.body.toString();
      counts[who] = (counts[who] ?? 0) + 1;
    }
    return counts;
  }

  it('balances over the pods the name resolves to, and follows a scale-out', async () => {
    records = ['127.0.0.1'];
    const kyc = upstream();
    expect(await tally(kyc, 4)).toEqual({ '127.0.0.1': 4 });
    records = ['127.0.0.3', '127.0.0.1', '127.0.0.2'];
    await kyc.discovery.refresh();
    expect(await tally(kyc, 30)).toEqual({ '127.0.0.1': 10, '127.0.0.2': 10, '127.0.0.3': 10 });
  });

  it('when a pod is gone but still resolved, its refusal is retried on another pod and it is ejected; when every pod is gone, NoInstancesError', async () => {
    records = ['127.0.0.1', '127.0.0.2'];
    const kyc = upstream();
    await stop('127.0.0.2');
    try {
      // Every request succeeds: the refused one goes to the other pod.
      expect(await tally(kyc, 8)).toEqual({ '127.0.0.1': 8 });
      const gone = kyc.balancer.instances.find((i) => i.url.includes('127.0.0.2'));
      expect(gone && kyc.balancer.isEjected(gone)).toBe(true);
      // The DNS answer catches up: the pod leaves the balancer.
      records = ['127.0.0.1'];
      await kyc.discovery.refresh();
      expect(kyc.balancer.instances.map((i) => i.url)).toEqual([`http://127.0.0.1:${port}`]);
      records = [];
      await kyc.discovery.refresh();
      await expect(kyc.forward({ method: 'GET', path: '/', headers: {} }, { clientIp: 'x' })).rejects.toBeInstanceOf(NoInstancesError);
    } finally {
      await listen('127.0.0.2');
    }
  });

  it('a connection cut under a GET is retried on another pod; under a POST it is the answer', async () => {
    // A "pod" that takes the request and drops the connection (a draining pod closing a kept-alive socket).
    const cutter = http.createServer((req) => req.socket.destroy());
    await new Promise<void>((done) => cutter.listen(port, '127.0.0.4', done));
    try {
      records = ['127.0.0.4', '127.0.0.1'];
      const kyc = upstream();
      await kyc.ready;
      for (let i = 0; i < 4; i += 1) {
        const { response } = await kyc.forward({ method: 'GET', path: '/', headers: {} }, { clientIp: 'x' });
        expect(response.body.toString()).toBe('127.0.0.1');
      }
      // Round robin sent some of the GETs to the cutter first: each cut counted against it.
      const cutPod = kyc.balancer.instances.find((i) => i.url.includes('127.0.0.4'));
      expect(cutPod && (cutPod.failures > 0 || kyc.balancer.isEjected(cutPod))).toBe(true);
      // A POST is not repeated: with the cutter as the only pod, the cut is the answer.
      kyc.balancer.setInstances([`http://127.0.0.4:${port}`]);
      await expect(
        kyc.forward({ method: 'POST', path: '/', headers: {}, body: Buffer.from('{}') }, { clientIp: 'x' }),
      ).rejects.toMatchObject({ kind: 'io' });
    } finally {
      cutter.closeAllConnections();
      await new Promise((done) => cutter.close(done));
    }
  });

  it('an ejected pod is back after 30 s', async () => {
    let now = 1_000_000;
    records = ['127.0.0.1', '127.0.0.2'];
    const kyc = upstream(() => now);
    await stop('127.0.0.2');
    await tally(kyc, 8);
    await listen('127.0.0.2');
    expect(await tally(kyc, 4)).toEqual({ '127.0.0.1': 4 });
    now += 30_000;
    expect(await tally(kyc, 4)).toEqual({ '127.0.0.1': 2, '127.0.0.2': 2 });
  });
  describe('the breaker', () => {
    const tight = { ...breaker, volumeThreshold: 2 };
    /** A kyc upstream of one pod that answers every request with `status`, `headers` and `body`. */
    async function answering(
      status: number,
      headers: Record<string, string>,
      body = '{}',
      now?: () => number,
    ): Promise<{ kyc: Upstream; close: () => Promise<void> }> {
      const server = http.createServer((_req, res) => res.writeHead(status, headers).end(body));
      await new Promise<void>((done) => server.listen(0, '127.0.0.4', done));
      const { port: own } = server.address() as AddressInfo;
      const kyc = new Upstream('kyc', [{ url: `http://p-kyc-pods:${own}` }], {
        strategy: 'round-robin',
        sticky: false,
        breaker: tight,
        resolve: () => Promise.resolve(['127.0.0.4']),
        discoveryIntervalMs: 60_000,
        ...(now ? { now } : {}),
      });
      upstreams.push(kyc);
      return { kyc, close: () => new Promise((done) => server.close(() => done())) };
    }
    const fire = (kyc: Upstream) =>
      kyc.forward({ method: 'POST', path: '/api/v1/applications', headers: {} }, { clientIp: '10.0.0.1' }).catch((error: unknown) => error);

    it('stays closed on 503 + Retry-After: a healthy service saying it cannot do this now (database down, feature paused)', async () => {
      const { kyc, close } = await answering(503, { 'retry-after': '5', 'content-type': 'application/problem+json' });
      try {
        for (let i = 0; i < 10; i += 1) await fire(kyc);
        expect(kyc.state()).toBe('closed');
      } finally {
        await close();
      }
    });

    it('counts the upstream reduced for 30 s after it said a dependency of its own is down, not after a paused feature', async () => {
      let now = 1_000_000;
      const body = (type: string) => JSON.stringify({ type, status: 503 });
      for (const [type, reduced] of [
        ['https://kyc.dev/problems/temporarily-unavailable', true],
        ['https://kyc.dev/problems/feature-paused', false],
      ] as const) {
        const { kyc, close } = await answering(
          503,
          { 'retry-after': '5', 'content-type': 'application/problem+json' },
          body(type),
          () => now,
        );
        try {
          await kyc.ready;
          expect(kyc.isReduced()).toBe(false);
          await fire(kyc);
          expect(kyc.isReduced()).toBe(reduced);
          now += 30_001;
          expect(kyc.isReduced()).toBe(false);
        } finally {
          await close();
        }
      }
    });

    it('lists for 30 s the features an answering upstream says it serves reduced (KYC-Reduced-Features)', async () => {
      let now = 1_000_000;
      const { kyc, close } = await answering(201, { 'kyc-reduced-features': 'automatic-checks' }, '{}', () => now);
      try {
        await kyc.ready;
        expect(kyc.reducedFeatures()).toEqual([]);
        await fire(kyc);
        expect(kyc.reducedFeatures()).toEqual(['automatic-checks']);
        expect(kyc.isReduced()).toBe(false);
        now += 30_001;
        expect(kyc.reducedFeatures()).toEqual([]);
      } finally {
        await close();
      }
    });

    it('opens on answers that say the service is broken (500, or 503 without Retry-After)', async () => {
      for (const [status, headers] of [
        [500, {}],
        [503, {}],
      ] as const) {
        const { kyc, close } = await answering(status, headers);
        try {
          for (let i = 0; i < 10; i += 1) await fire(kyc);
          expect(kyc.state()).toBe('open');
        } finally {
          await close();
        }
      }
    });
  });
});
