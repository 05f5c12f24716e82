// A KycPlatform's life with the operator running against the real API server (KWOK runs the pods):
// create → Ready; a resync makes no writes; version and override changes roll out; edits and deletions
// of owned objects are undone; deleting the platform removes everything it created.
import { describe, expect, it } from '@jest/globals';
import type { KubeResource } from '../../../operator/src/runtime/kube.js';
import { EVENT } from '../../../operator/src/runtime/events.js';
import { eventually } from '../../support/env.js';
import {
  CONFIGMAP,
  DEPLOYMENT,
  developmentPlatform,
  getPlatform,
  ownedObjects,
  PLATFORM,
  SERVICE,
  waitReady,
  withTestOperator,
} from './support.js';

interface Container {
  name: string;
  image: string;
  env?: { name: string; value?: string }[];
}
type Deployment = KubeResource & { spec: { replicas?: number; template: { spec: { containers: Container[] } } } };

const suite = withTestOperator('op-life');
const { client } = suite;
const name = 'lifecycle';

async function deployment(component: string): Promise<Deployment | undefined> {
  return client.get<Deployment>(DEPLOYMENT, suite.namespace, `${name}-${component}`);
}

describe('the operator with a development platform', () => {
  it('when a platform is created, then all six components become Available and Ready=True', async () => {
    await client.create(PLATFORM, suite.namespace, developmentPlatform(suite.namespace, name, '0.1.0'));
    const platform = await waitReady(client, suite.namespace, name, '0.1.0');
    expect(platform.status?.phase).toBe('Ready');
    expect(Object.keys(platform.status?.components ?? {}).sort()).toEqual([
      'analytics',
      'auth',
      'frontend',
      'gateway',
      'kyc',
      'notification',
    ]);
    for (const component of Object.values(platform.status?.components ?? {}) as { available?: number }[]) {
      expect(component.available).toBeGreaterThanOrEqual(1);
    }
    const kinds = new Set((await ownedObjects(client, suite.namespace, name)).map((o) => o.kind));
    for (const kind of ['Deployment', 'Service', 'ServiceAccount', 'PodDisruptionBudget', 'ConfigMap']) expect(kinds).toContain(kind);
    const gateway = await deployment('gateway');
    expect(gateway?.metadata.annotations?.['kyc.dev/spec-hash']).toMatch(/^[0-9a-f]{16}$/);
    expect(gateway?.metadata.ownerReferences?.[0]).toMatchObject({ kind: 'KycPlatform', name, uid: platform.metadata.uid });
    const reasons = await eventually('the Created and Ready events', async () => {
      const { items } = await client.list<KubeResource & { reason?: string; involvedObject?: { uid?: string } }>(EVENT, suite.namespace);
      const found = new Set(items.filter((e) => e.involvedObject?.uid === platform.metadata.uid).map((e) => e.reason));
      return found.has('Created') && found.has('Ready') ? found : undefined;
    });
    expect(reasons.has('Restored')).toBe(false);
  }, 120_000);

  it('when nothing changed, then a resync makes zero writes and changes no resourceVersion', async () => {
    const op = suite.operator;
    // Let the rollout's last status events settle.
    await op.idle();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    await op.idle();
    const versions = async (): Promise<Record<string, string | undefined>> => {
      const objects = [
        ...(await ownedObjects(client, suite.namespace, name)),
        (await getPlatform(client, suite.namespace, name)) as KubeResource,
      ];
      return Object.fromEntries(objects.map((o) => [`${o.kind}/${o.metadata.name}`, o.metadata.resourceVersion]));
    };
    const before = await versions();
    const writesBefore = await op.metrics.writes();
    const reconcilesBefore = (await op.metrics.reconciles.get()).values.reduce((sum, v) => sum + v.value, 0);
    op.resync();
    await op.idle();
    const reconcilesAfter = (await op.metrics.reconciles.get()).values.reduce((sum, v) => sum + v.value, 0);
    expect(reconcilesAfter).toBeGreaterThan(reconcilesBefore);
    expect((await op.metrics.writes()) - writesBefore).toBe(0);
    expect(await versions()).toEqual(before);
  }, 60_000);

  it('when the version changes, then every Deployment rolls to the new image and the platform is Ready again', async () => {
    await client.mergePatch(PLATFORM, suite.namespace, name, { spec: { version: '0.2.0' } });
    await waitReady(client, suite.namespace, name, '0.2.0');
    for (const component of ['gateway', 'kyc', 'auth', 'notification', 'analytics', 'frontend']) {
      const image = (await deployment(component))?.spec.template.spec.containers[0]?.image ?? '';
      expect(image.endsWith(':0.2.0')).toBe(true);
    }
  }, 120_000);

  it('when component overrides change, then they are applied', async () => {
    await client.mergePatch(PLATFORM, suite.namespace, name, {
      spec: { components: { kyc: { replicas: 2, env: [{ name: 'KYC_EXTRA', value: 'on' }] } } },
    });
    await eventually('the kyc override to reach its Deployment', async () => {
      const kyc = await deployment('kyc');
      const env = kyc?.spec.template.spec.containers[0]?.env ?? [];
      return kyc?.spec.replicas === 2 && env.some((e) => e.name === 'KYC_EXTRA' && e.value === 'on');
    });
    const platform = await waitReady(client, suite.namespace, name, '0.2.0');
    expect(platform.status?.components?.kyc).toMatchObject({ desired: 2, available: 2 });
  }, 120_000);

  it('when someone edits an owned Deployment, then the operator restores it within seconds', async () => {
    const gateway = await deployment('gateway');
    const container = gateway?.spec.template.spec.containers[0];
    if (!gateway || !container) throw new Error('no gateway Deployment');
    await client.mergePatch(DEPLOYMENT, suite.namespace, gateway.metadata.name, {
      spec: { template: { spec: { containers: [{ ...container, image: 'evil.example/kyc:hacked' }] } } },
    });
    await eventually(
      'the gateway image to be restored',
      async () => {
        const image = (await deployment('gateway'))?.spec.template.spec.containers[0]?.image;
        return image !== undefined && image.endsWith(':0.2.0');
      },
      20_000,
    );
  }, 60_000);

  it('when someone edits owned ConfigMap data or deletes an owned Service, then both are restored', async () => {
    const configName = `${name}-config`;
    const config = await client.get<KubeResource & { data?: Record<string, string> }>(CONFIGMAP, suite.namespace, configName);
    const [key] = Object.keys(config?.data ?? {});
    if (!config || !key) throw new Error('the platform ConfigMap has no data');
    const original = config.data?.[key];
    await client.mergePatch(CONFIGMAP, suite.namespace, configName, { data: { [key]: 'tampered' } });
    const service = await client.get(SERVICE, suite.namespace, `${name}-auth`);
    await client.delete(SERVICE, suite.namespace, `${name}-auth`);
    await eventually(
      'the ConfigMap data to be restored',
      async () => {
        const live = await client.get<KubeResource & { data?: Record<string, string> }>(CONFIGMAP, suite.namespace, configName);
        return live?.data?.[key] === original;
      },
      20_000,
    );
    const recreated = await eventually(
      'the auth Service to be recreated',
      () => client.get(SERVICE, suite.namespace, `${name}-auth`),
      20_000,
    );
    expect(recreated.metadata.uid).not.toBe(service?.metadata.uid);
  }, 60_000);

  it('when a component is disabled, then its objects are deleted and the platform reports the rest', async () => {
    await client.mergePatch(PLATFORM, suite.namespace, name, { spec: { components: { analytics: { enabled: false } } } });
    await eventually(
      'the analytics objects to be deleted',
      async () => {
        const left = (await ownedObjects(client, suite.namespace, name)).filter(
          (o) => o.metadata.name === `${name}-analytics` && !o.metadata.deletionTimestamp,
        );
        return left.length === 0;
      },
      30_000,
    );
    const platform = await eventually('readyComponents 5/5', async () => {
      const p = await getPlatform(client, suite.namespace, name);
      return p?.status?.readyComponents === '5/5' ? p : undefined;
    });
    expect(platform.status?.components?.analytics).toBeUndefined();
  }, 60_000);

  it('when the platform is deleted, then everything it created is garbage-collected', async () => {
    expect((await ownedObjects(client, suite.namespace, name)).length).toBeGreaterThan(0);
    await client.delete(PLATFORM, suite.namespace, name);
    await eventually('every owned object to be gone', async () => (await ownedObjects(client, suite.namespace, name)).length === 0, 60_000);
  }, 90_000);
});
