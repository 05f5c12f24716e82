// Load balancing measured end to end: a gateway in front of three upstream instances, one gateway per
// strategy, requests counted per instance.
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { startGateway } from '../../../workloads/gateway/main.js';
import type { RunningGateway } from '../../../workloads/gateway/main.js';
import { FakeUpstream, balancingGatewayEnv, quickWhileTwoBusy, tallyByInstance } from './fake-upstream.js';
import type { Echo } from './fake-upstream.js';
import { captureLogs, request, signToken } from './support.js';

describe('gateway load balancing over three instances', () => {
  const instances = [new FakeUpstream('a'), new FakeUpstream('b'), new FakeUpstream('c')];
  let token: string;
  let gateway: RunningGateway | undefined;

  beforeAll(async () => {
    await Promise.all(instances.map((i) => i.start()));
    token = await signToken({ sub: 'user-1', role: 'customer' });
  });

  afterEach(async () => {
    await gateway?.close();
    gateway = undefined;
  });

  afterAll(async () => {
    await Promise.all(instances.map((i) => i.stop()));
  });

  async function start(env: Record<string, string>): Promise<RunningGateway> {
    gateway = await startGateway({
      port: 0,
      logger: captureLogs('gateway', 'warn').logger,
      env: { ...balancingGatewayEnv(instances), ...env },
    });
    return gateway;
  }

  const tally = (url: string, n: number, headers?: (i: number) => Record<string, string>) => tallyByInstance(url, token, n, headers);

  it('round robin: every instance gets the same share', async () => {
    const gw = await start({ LB_STRATEGY: 'round-robin' });
    expect(await tally(`${gw.url}/api/v1/applications/1`, 90)).toEqual({ a: 30, b: 30, c: 30 });
  }, 30_000);

  it('ip hash: each client address stays on one instance, and the clients spread over all three', async () => {
    const gw = await start({ LB_STRATEGY: 'ip-hash' });
    const homes = new Map<string, Set<string>>();
    for (let client = 1; client <= 30; client += 1) {
      const ip = `10.20.${client}.${client * 7}`;
      for (let i = 0; i < 4; i += 1) {
        const res = await request<Echo>(`${gw.url}/api/v1/applications/1`, { token, headers: { 'x-forwarded-for': ip } });
        const set = homes.get(ip) ?? new Set<string>();
        set.add(res.body.instance);
        homes.set(ip, set);
      }
    }
    for (const set of homes.values()) expect(set.size).toBe(1);
    const used = new Set([...homes.values()].flatMap((set) => [...set]));
    expect(used).toEqual(new Set(['a', 'b', 'c']));
  }, 30_000);

  it('least connections: while two instances are busy, new requests go to the idle one', async () => {
    const gw = await start({ LB_STRATEGY: 'least-connections' });
    // Long enough for the six quick requests to finish while both slow ones are still held, even on a loaded machine.
    for (const instance of instances) instance.slowMs = 2000;
    const { busy, quick } = await quickWhileTwoBusy(gw, token);
    expect(new Set(busy).size).toBe(2);
    const idle = ['a', 'b', 'c'].find((name) => !busy.includes(name)) as string;
    for (const instance of instances) instance.slowMs = 400;
    expect(quick).toEqual({ [idle]: 6 });
  }, 30_000);

  it('sticky sessions: a client with the cookie stays on its instance; new clients still spread', async () => {
    const gw = await start({ LB_STRATEGY: 'round-robin', LB_STICKY_SESSIONS: 'true' });
    const url = `${gw.url}/api/v1/applications/1`;
    const first = await request<Echo>(url, { token });
    const cookie = first.headers.get('set-cookie')?.split(';')[0];
    expect(cookie).toMatch(/^kyc_affinity=kyc\./);
    const pinned = await tally(url, 30, () => ({ cookie: cookie ?? '' }));
    expect(pinned).toEqual({ [first.body.instance]: 30 });
    const fresh = await tally(url, 30);
    expect(Object.keys(fresh).sort()).toEqual(['a', 'b', 'c']);
  }, 30_000);
});
