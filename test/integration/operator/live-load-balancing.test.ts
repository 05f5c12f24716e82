// spec.loadBalancing is a live setting (docs/workloads.md, "Load balancing"): the operator, against the real API
// server (KWOK runs the pods), writes a change to the platform ConfigMap's live-settings.json and leaves the
// gateway Deployment as it was (no roll); a gateway process reading that document from a file, as a pod reads
// the mounted ConfigMap, switches its strategy within seconds, keeps a sticky client on its instance across a
// strategy swap, and keeps the last good settings when the document is bad. The file is written by the test,
// as the kubelet would (the real node's suite, test/e2e/load-balancing.test.ts, has the kubelet do it).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { KubeResource } from '../../../operator/src/runtime/kube.js';
import { startGateway } from '../../../workloads/gateway/main.js';
import type { RunningGateway } from '../../../workloads/gateway/main.js';
import { eventually } from '../../support/env.js';
import { FakeUpstream, balancingGatewayEnv, tallyByInstance } from '../workloads/fake-upstream.js';
import type { Echo } from '../workloads/fake-upstream.js';
import { captureLogs, liveSettingsFile, request, signToken } from '../workloads/support.js';
import type { LiveSettingsFile } from '../workloads/support.js';
import { CONFIGMAP, DEPLOYMENT, PLATFORM, developmentPlatform, getPlatform, withTestOperator } from './support.js';

type ConfigMap = KubeResource & { data?: Record<string, string> };
type Deployment = KubeResource & { spec: { template: unknown } };

const suite = withTestOperator('op-lb');
const { client } = suite;
const name = 'lb';

describe('spec.loadBalancing while the gateway runs', () => {
  const instances = [new FakeUpstream('a'), new FakeUpstream('b'), new FakeUpstream('c')];
  let live: LiveSettingsFile;
  let gateway: RunningGateway;
  let token: string;
  let logs: ReturnType<typeof captureLogs>;
  /** The gateway Deployment as the platform's first pass left it. */
  let before: Deployment;

  const liveText = async (): Promise<string | undefined> =>
    (await client.get<ConfigMap>(CONFIGMAP, suite.namespace, `${name}-config`))?.data?.['live-settings.json'];
  const gatewayDeployment = async (): Promise<Deployment | undefined> =>
    client.get<Deployment>(DEPLOYMENT, suite.namespace, `${name}-gateway`);
  /** Waits until the operator's pass over `generation` of the spec is done. */
  async function observed(generation: number | undefined): Promise<void> {
    await eventually(
      `the operator to observe generation ${generation}`,
      async () => (await getPlatform(client, suite.namespace, name))?.status?.observedGeneration === generation,
      60_000,
    );
    await suite.operator.idle();
  }
  /** Patches the spec, waits for the operator's pass over it, and returns the ConfigMap's live settings then. */
  async function setLoadBalancing(loadBalancing: Record<string, unknown>): Promise<string> {
    const patched = await client.mergePatch<KubeResource>(PLATFORM, suite.namespace, name, { spec: { loadBalancing } });
    await observed(patched.metadata.generation);
    return (await liveText()) ?? '';
  }
  /** Copies the ConfigMap's document into the gateway's file (the kubelet's part) and times the switch `switched` waits for. */
  async function deliver(text: string, switched: () => Promise<boolean>): Promise<number> {
    const started = Date.now();
    await live.write(JSON.parse(text) as Record<string, unknown>);
    await eventually('the gateway to follow the live settings', async () => (await switched()) || undefined, 20_000, 100);
    return Date.now() - started;
  }
  const url = (): string => `${gateway.url}/api/v1/applications/1`;
  /** 12 requests of one client address, by instance. */
  const oneClient = (): Promise<Record<string, number>> => tallyByInstance(url(), token, 12, () => ({ 'x-forwarded-for': '10.9.8.7' }));

  beforeAll(async () => {
    const created = await client.create<KubeResource>(PLATFORM, suite.namespace, developmentPlatform(suite.namespace, name));
    await observed(created.metadata.generation);
    before = await eventually('the gateway Deployment', gatewayDeployment, 60_000);
    const text = await eventually('the platform ConfigMap', liveText, 60_000);
    await Promise.all(instances.map((i) => i.start()));
    live = await liveSettingsFile('kyc-lb-');
    await live.write(JSON.parse(text) as Record<string, unknown>);
    logs = captureLogs('gateway', 'info');
    gateway = await startGateway({
      port: 0,
      metricsPort: 0,
      logger: logs.logger,
      env: { ...balancingGatewayEnv(instances), LIVE_SETTINGS_FILE: live.path },
    });
    token = await signToken({ sub: 'lb-user', role: 'customer' });
  }, 120_000);

  afterAll(async () => {
    await gateway?.close();
    await Promise.all(instances.map((i) => i.stop()));
    await live?.remove();
  });

  it('when the spec says ip-hash, then the ConfigMap carries it, the gateway Deployment is untouched, and the running gateway puts one client on one instance within seconds', async () => {
    expect(await oneClient()).toEqual({ a: 4, b: 4, c: 4 }); // the default: round robin
    const text = await setLoadBalancing({ strategy: 'ip-hash' });
    expect(JSON.parse(text)).toMatchObject({ loadBalancing: { strategy: 'ip-hash', stickySessions: false } });
    const after = await gatewayDeployment();
    expect([after?.metadata.generation, after?.spec.template]).toEqual([before.metadata.generation, before.spec.template]);
    const tookMs = await deliver(text, async () => Object.keys(await oneClient()).length === 1);
    console.log(`ip-hash in force ${tookMs} ms after the live settings changed`);
    expect(tookMs).toBeLessThan(10_000);
    expect(Object.values(await oneClient())).toEqual([12]);
  }, 90_000);

  it('when sticky sessions stay on across a strategy swap, then a client with the cookie stays on its instance', async () => {
    const sticky = await setLoadBalancing({ strategy: 'round-robin', stickySessions: true });
    await deliver(sticky, async () => (await request(url(), { token })).headers.get('set-cookie') !== null);
    const first = await request<Echo>(url(), { token });
    const cookie = first.headers.get('set-cookie')?.split(';')[0] ?? '';
    const swapped = await setLoadBalancing({ strategy: 'least-connections', stickySessions: true });
    await deliver(swapped, () => Promise.resolve(logs.text().includes('"strategy":"least-connections"')));
    expect(await tallyByInstance(url(), token, 12, () => ({ cookie }))).toEqual({ [first.body.instance]: 12 });
    const after = await gatewayDeployment();
    expect([after?.metadata.generation, after?.spec.template]).toEqual([before.metadata.generation, before.spec.template]);
  }, 90_000);

  it('when the document is bad, then the gateway keeps the last good settings and says so in its log and metrics', async () => {
    const rejections = async (): Promise<number> =>
      Number(/^kyc_live_settings_rejected_total\S* (\d+)$/m.exec(await (await fetch(`${gateway.metricsUrl}/metrics`)).text())?.[1] ?? 0);
    const good = JSON.parse((await liveText()) ?? '') as Record<string, unknown>;
    const earlier = await rejections();
    await live.write({ ...good, loadBalancing: { strategy: 'fastest' } });
    await eventually('the rejection counted', async () => (await rejections()) === earlier + 1 || undefined, 20_000, 100);
    expect(logs.text()).toMatch(/not applied, the previous ones stay in force: loadBalancing: strategy must be one of/);
    const pinned = await request<Echo>(url(), { token });
    expect(pinned.headers.get('set-cookie')).not.toBeNull(); // still sticky: the last good settings
  }, 60_000);
});
