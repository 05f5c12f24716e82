// The gateway balances over the pods it discovers (docs/workloads.md, "Load balancing"): an
// in-process gateway whose kyc upstream is a name, a fake resolver playing the headless Service's A
// records, and three stand-in pods listening on 127.0.0.1, .2 and .3 with one port (pods share their
// container port). What the cluster adds — CoreDNS answering with the ready pods — is the e2e's part.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { startGateway } from '../../../workloads/gateway/main.js';
import type { RunningGateway } from '../../../workloads/gateway/main.js';
import type { Resolve } from '../../../workloads/gateway/discovery.js';
import { FakeUpstream, quickWhileTwoBusy, tallyByInstance } from './fake-upstream.js';
import type { Echo } from './fake-upstream.js';
import { captureLogs, eventually, request, signToken, suffix, verifierEnv } from './support.js';

describe('gateway load balancing over discovered pods', () => {
  const pods = [new FakeUpstream('a', '127.0.0.1'), new FakeUpstream('b', '127.0.0.2'), new FakeUpstream('c', '127.0.0.3')];
  const [a, b, c] = pods as [FakeUpstream, FakeUpstream, FakeUpstream];
  /** The A records of `p-kyc-hl` now. */
  let records: string[] = [];
  const resolve: Resolve = () => Promise.resolve(records);
  let token: string;
  let gateway: RunningGateway | undefined;

  beforeAll(async () => {
    await a.start();
    b.port = a.port;
    c.port = a.port;
    await b.start();
    await c.start();
    token = await signToken({ sub: 'user-1', role: 'customer' });
  });

  afterEach(async () => {
    await gateway?.close();
    gateway = undefined;
  });

  afterAll(async () => {
    await Promise.all(pods.map((pod) => pod.stop()));
  });

  async function start(env: Record<string, string> = {}): Promise<RunningGateway> {
    gateway = await startGateway({
      port: 0,
      logger: captureLogs('gateway', 'warn').logger,
      resolve,
      env: {
        REDIS_KEY_PREFIX: `test-${suffix()}:`,
        ...verifierEnv(),
        UPSTREAM_KYC: `http://p-kyc-hl:${a.port}`,
        RATE_LIMIT_REQUESTS: '0',
        ...env,
      },
    });
    return gateway;
  }

  const tally = (url: string, n: number, headers?: () => Record<string, string>) => tallyByInstance(url, token, n, headers);

  /** Waits until the gateway's kyc balancer holds `count` instances (discovery resolves every 2 s). */
  async function instances(gw: RunningGateway, count: number): Promise<void> {
    await eventually(() => (gw.upstreams.get('kyc')?.balancer.instances.length === count ? true : undefined), 10_000, 50);
  }

  it('when the upstream scales out from one pod to three, then within seconds every pod gets an equal share', async () => {
    records = ['127.0.0.1'];
    const gw = await start();
    const url = `${gw.url}/api/v1/applications/1`;
    expect(await tally(url, 6)).toEqual({ a: 6 });
    records = ['127.0.0.3', '127.0.0.1', '127.0.0.2'];
    const before = Date.now();
    await instances(gw, 3);
    expect(Date.now() - before).toBeLessThan(3000);
    expect(await tally(url, 90)).toEqual({ a: 30, b: 30, c: 30 });
  }, 30_000);

  it('when a pod stops while the DNS still names it, then no request fails, the pod is ejected, and it leaves when the DNS drops it', async () => {
    records = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];
    const gw = await start();
    const url = `${gw.url}/api/v1/applications/1`;
    await b.stop();
    try {
      const counts = await tally(url, 30);
      expect(counts.b).toBeUndefined();
      expect((counts.a ?? 0) + (counts.c ?? 0)).toBe(30);
      const kyc = gw.upstreams.get('kyc');
      const gone = kyc?.balancer.instances.find((i) => i.url.includes('127.0.0.2'));
      expect(gone && kyc?.balancer.isEjected(gone)).toBe(true);
      const metrics = await (await fetch(`${gw.metricsUrl}/metrics`)).text();
      expect(metrics).toMatch(/^kyc_gateway_upstream_instances\{upstream="kyc",state="ejected"[^}]*\} 1$/m);
      expect(metrics).toMatch(/^kyc_gateway_upstream_instances\{upstream="kyc",state="ready"[^}]*\} 2$/m);
      records = ['127.0.0.1', '127.0.0.3'];
      await instances(gw, 2);
      expect(await tally(url, 20)).toEqual({ a: 10, c: 10 });
    } finally {
      await b.start();
    }
  }, 30_000);

  it('when every pod is gone, then 503 problem+json with Retry-After, and answers again once a pod is back', async () => {
    records = ['127.0.0.1'];
    const gw = await start();
    const url = `${gw.url}/api/v1/applications/1`;
    records = [];
    await instances(gw, 0);
    const refused = await request(url, { token });
    expect(refused.status).toBe(503);
    expect(refused.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // No pod is not a failing pod: the breaker stays closed.
    expect(gw.upstreams.get('kyc')?.state()).toBe('closed');
    records = ['127.0.0.3'];
    await instances(gw, 1);
    expect(await tally(url, 3)).toEqual({ c: 3 });
  }, 30_000);

  it('sticky sessions: a pinned client stays on its pod through a scale-out, and is pinned again when its pod goes', async () => {
    records = ['127.0.0.1', '127.0.0.2'];
    const gw = await start({ LB_STRATEGY: 'least-connections', LB_STICKY_SESSIONS: 'true' });
    const url = `${gw.url}/api/v1/applications/1`;
    const first = await request<Echo>(url, { token });
    const cookie = first.headers.get('set-cookie')?.split(';')[0] ?? '';
    expect(cookie).toMatch(/^kyc_affinity=kyc\./);
    records = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];
    await instances(gw, 3);
    expect(await tally(url, 20, () => ({ cookie }))).toEqual({ [first.body.instance]: 20 });
    records = ['127.0.0.1', '127.0.0.2', '127.0.0.3'].filter((address) => !address.endsWith(first.body.instance === 'a' ? '.1' : '.2'));
    await instances(gw, 2);
    const moved = await request<Echo>(url, { token, headers: { cookie } });
    expect(moved.status).toBe(200);
    expect(moved.body.instance).not.toBe(first.body.instance);
    expect(moved.headers.get('set-cookie')).toMatch(/^kyc_affinity=kyc\./);
  }, 30_000);

  it('least connections over discovered pods: while two pods are busy, new requests go to the idle one', async () => {
    records = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];
    const gw = await start({ LB_STRATEGY: 'least-connections' });
    for (const pod of pods) pod.slowMs = 2000;
    try {
      const { busy, quick } = await quickWhileTwoBusy(gw, token);
      const idle = ['a', 'b', 'c'].find((name) => !busy.includes(name)) as string;
      expect(quick).toEqual({ [idle]: 6 });
    } finally {
      for (const pod of pods) pod.slowMs = 400;
    }
  }, 30_000);
});
