import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { platform } from '../api/fixtures.js';
import { renderScaledObject } from '../render/scaledobject.js';
import { Applier } from '../runtime/apply.js';
import type { KubeResource, ResourceType } from '../runtime/kube.js';
import { FakeKube } from '../runtime/testing/fake-kube.js';
import { ScalingController } from '../scaling/controller.js';
import { KedaObjects, SCALED_OBJECT_CRD, SCALED_OBJECT_TYPE, TRIGGER_AUTHENTICATION_CRD, TRIGGER_AUTHENTICATION_TYPE } from './keda.js';
import { PLATFORM } from './resources.js';
import { NAMESPACE, startTestReconciler, type TestReconciler } from './testing/fakes.js';

const CRD: ResourceType = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  plural: 'customresourcedefinitions',
  namespaced: false,
};
const keda = platform({ profile: 'production', autoscaling: { provider: 'keda' } });
const owner = keda as unknown as KubeResource;
const wanted = (components: ('kyc' | 'auth')[]) => components.map((c) => renderScaledObject(keda, c) as KubeResource);

async function installKeda(kube: FakeKube): Promise<void> {
  for (const name of [SCALED_OBJECT_CRD, TRIGGER_AUTHENTICATION_CRD])
    await kube.create(CRD, '', { apiVersion: CRD.apiVersion, kind: CRD.kind, metadata: { name } });
}

describe('KedaObjects', () => {
  it('when KEDA is not installed, then nothing is written and the platform that wants ScaledObjects hears so', async () => {
    const kube = new FakeKube();
    const sync = new KedaObjects(kube.asClient(), new Applier(kube.asClient()));
    expect(await sync.sync(owner, wanted(['kyc']))).toEqual({ installed: false, created: [], updated: [], deleted: [] });
    expect(await sync.sync(owner, [])).toEqual({ installed: true, created: [], updated: [], deleted: [] });
    expect(kube.writes).toEqual([]);
  });

  it('when KEDA is installed, then the wanted ScaledObjects are applied once, and one no longer wanted is deleted', async () => {
    const kube = new FakeKube();
    await installKeda(kube);
    const sync = new KedaObjects(kube.asClient(), new Applier(kube.asClient()));
    expect((await sync.sync(owner, wanted(['kyc', 'auth']))).created).toEqual(['ScaledObject acme-kyc', 'ScaledObject acme-auth']);
    expect(await sync.sync(owner, wanted(['kyc', 'auth']))).toMatchObject({ created: [], updated: [] });
    expect(await sync.sync(owner, wanted(['kyc']))).toMatchObject({ deleted: ['ScaledObject acme-auth'] });
    expect(kube.peekAll(SCALED_OBJECT_TYPE, 'kyc-test').map((o) => o.metadata.name)).toEqual(['acme-kyc']);
  });

  it('when a platform wants none and has none, then its objects are listed again only after ten minutes, or when it wants some', async () => {
    const kube = new FakeKube();
    await installKeda(kube);
    let now = 0;
    const sync = new KedaObjects(kube.asClient(), new Applier(kube.asClient()), () => now);
    const list = jest.spyOn(kube, 'list');
    // Written by the operator, then no longer wanted: listed, deleted, and known to be none.
    await sync.sync(owner, wanted(['kyc']));
    expect(await sync.sync(owner, [])).toMatchObject({ installed: true, deleted: ['ScaledObject acme-kyc'] });
    const listed = list.mock.calls.length;
    now = 9 * 60_000;
    expect(await sync.sync(owner, [])).toEqual({ installed: true, created: [], updated: [], deleted: [] });
    expect(list.mock.calls.length).toBe(listed);
    // One written by hand with the platform's labels and owner is deleted at the first list after ten minutes.
    await kube.create(SCALED_OBJECT_TYPE, 'kyc-test', wanted(['auth'])[0] as KubeResource);
    now = 10 * 60_000 + 1;
    expect(await sync.sync(owner, [])).toMatchObject({ deleted: ['ScaledObject acme-auth'] });
    expect(list.mock.calls.length).toBe(listed + 2);
    // Wanting ScaledObjects lists them at once (the TriggerAuthentications, still none wanted, are not);
    // going back to none lists them to delete; a platform forgotten (deleted) and created again lists both.
    expect((await sync.sync(owner, wanted(['kyc']))).created).toEqual(['ScaledObject acme-kyc']);
    expect(list.mock.calls.length).toBe(listed + 3);
    expect(await sync.sync(owner, [])).toMatchObject({ deleted: ['ScaledObject acme-kyc'] });
    expect(list.mock.calls.length).toBe(listed + 4);
    sync.forget('kyc-test', 'acme');
    await sync.sync(owner, []);
    expect(list.mock.calls.length).toBe(listed + 6);
  });

  it('looks for the CRD at most once a minute', async () => {
    const kube = new FakeKube();
    let now = 0;
    const sync = new KedaObjects(kube.asClient(), new Applier(kube.asClient()), () => now);
    expect(await sync.installed()).toBe(false);
    await installKeda(kube);
    now = 59_000;
    expect(await sync.installed()).toBe(false);
    now = 60_000;
    expect(await sync.installed()).toBe(true);
  });
});

describe('a reconcile pass of a provider-keda platform', () => {
  const running: TestReconciler[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((t) => t.stop()));
  });
  const spec = { autoscaling: { enabled: true, provider: 'keda' as const, metrics: { queueLag: { targetLagPerReplica: 100 } } } };
  const start = async (): Promise<TestReconciler> => {
    const t = await startTestReconciler({ scaling: new ScalingController(undefined), keda: true });
    running.push(t);
    return t;
  };

  it('when KEDA is not installed, then no autoscaler is written, ScalingDegraded says KedaNotInstalled, and an Event says so once', async () => {
    const t = await start();
    const key = await t.createPlatform(spec);
    await t.reconciler.reconcile(key);
    await t.reconciler.reconcile(key);
    expect(t.api.writes.filter((w) => w.kind === 'ScaledObject' || w.kind === 'HorizontalPodAutoscaler')).toEqual([]);
    const degraded = t.platform()?.status?.conditions?.find((c) => c.type === 'ScalingDegraded');
    expect(degraded).toMatchObject({ status: 'True', reason: 'KedaNotInstalled' });
    expect(t.events.reasons().filter((r) => r === 'KedaNotInstalled')).toHaveLength(1);
  });

  it('when KEDA is installed, then the pass writes a ScaledObject per component, no HPA, and names them in its Event', async () => {
    const t = await start();
    await installKeda(t.api);
    const key = await t.createPlatform(spec);
    await t.reconciler.reconcile(key);
    expect(t.api.peekAll(SCALED_OBJECT_TYPE, NAMESPACE)).toHaveLength(6);
    expect(t.api.writes.filter((w) => w.kind === 'HorizontalPodAutoscaler')).toEqual([]);
    expect(t.platform()?.status?.conditions?.find((c) => c.type === 'ScalingDegraded')?.reason).not.toBe('KedaNotInstalled');

    await t.api.mergePatch(PLATFORM, NAMESPACE, 'acme', { spec: { autoscaling: { maxReplicas: 7 } } });
    await t.reconciler.reconcile(key);
    expect(t.events.recorded.filter((e) => e.reason === 'Updated').map((e) => e.message)).toEqual([
      'updated ScaledObject acme-gateway, ScaledObject acme-kyc, ScaledObject acme-auth, ScaledObject acme-notification, ScaledObject acme-analytics, ScaledObject acme-frontend',
    ]);
    expect(
      t.api.peekAll<KubeResource & { spec: { maxReplicaCount: number } }>(SCALED_OBJECT_TYPE, NAMESPACE).map((o) => o.spec.maxReplicaCount),
    ).toEqual([7, 7, 7, 7, 7, 7]);
  });

  it('when the Kafka needs TLS and SCRAM, then the pass writes the TriggerAuthentication before the ScaledObjects, and deletes it with provider builtin', async () => {
    const t = await start();
    await installKeda(t.api);
    const key = await t.createPlatform({
      ...spec,
      dependencies: {
        postgres: { secretRef: { name: 'kyc-postgres' } },
        redis: { secretRef: { name: 'kyc-redis' } },
        kafka: { secretRef: { name: 'kyc-kafka' }, tls: 'Required', credentials: 'PerComponent' },
      },
    });
    await t.reconciler.reconcile(key);
    expect(t.api.peekAll(TRIGGER_AUTHENTICATION_TYPE, NAMESPACE).map((o) => o.metadata.name)).toEqual(['acme-kafka-lag']);
    const kinds = t.api.writes.map((w) => w.kind).filter((k) => k === 'TriggerAuthentication' || k === 'ScaledObject');
    expect(kinds[0]).toBe('TriggerAuthentication');
    expect(kinds.filter((k) => k === 'ScaledObject')).toHaveLength(6);

    await t.api.mergePatch(PLATFORM, NAMESPACE, 'acme', { spec: { autoscaling: { provider: 'builtin' } } });
    const before = t.api.writes.length;
    await t.reconciler.reconcile(key);
    // The ScaledObjects that name it go first, the TriggerAuthentication last.
    const deleted = t.api.writes
      .slice(before)
      .filter((w) => w.verb === 'delete')
      .map((w) => w.kind);
    expect(deleted).toEqual([...Array<string>(6).fill('ScaledObject'), 'TriggerAuthentication']);
    expect(t.api.peekAll(TRIGGER_AUTHENTICATION_TYPE, NAMESPACE)).toEqual([]);
    expect(t.api.peekAll(SCALED_OBJECT_TYPE, NAMESPACE)).toEqual([]);
  });
});
