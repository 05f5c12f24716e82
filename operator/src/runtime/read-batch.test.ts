import { describe, expect, it } from '@jest/globals';
import { ApiError, type KubeResource, type ResourceType } from './kube.js';
import { ReadBatch } from './read-batch.js';
import { FakeKube } from './testing/fake-kube.js';

const CONFIGMAP: ResourceType = { apiVersion: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true };
const SECRET: ResourceType = { apiVersion: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true };
const NS = 'kyc-test';

function object(kind: string, name: string, platform: string, data: Record<string, string> = {}): KubeResource {
  return {
    apiVersion: 'v1',
    kind,
    metadata: { name, namespace: NS, labels: { 'app.kubernetes.io/instance': platform } },
    data,
  };
}

async function server(): Promise<FakeKube> {
  const fake = new FakeKube();
  for (const name of ['acme-a', 'acme-b', 'acme-c']) await fake.create(CONFIGMAP, NS, object('ConfigMap', name, 'acme', { name }));
  await fake.create(CONFIGMAP, NS, object('ConfigMap', 'other-a', 'other'));
  await fake.create(SECRET, NS, object('Secret', 'acme-tls', 'acme'));
  return fake;
}

const reads = (fake: FakeKube): string[] => fake.reads.map((r) => `${r.verb} ${r.kind}`);

describe('ReadBatch', () => {
  it('when a pass asks for several objects of a kind at once, then one list of the platform answers them all, and a single one is a GET', async () => {
    const fake = await server();
    const batch = new ReadBatch(fake.asClient(), 'app.kubernetes.io/instance=acme');

    const [a, c, gone, again, tls] = await Promise.all([
      batch.read(CONFIGMAP, NS, 'acme-a'),
      batch.read(CONFIGMAP, NS, 'acme-c'),
      batch.read(CONFIGMAP, NS, 'acme-gone'),
      batch.read(CONFIGMAP, NS, 'acme-a'),
      batch.read(SECRET, NS, 'acme-tls'),
    ]);

    expect(reads(fake)).toEqual(['list ConfigMap', 'get Secret']);
    expect([a, c, again].map((o) => (o as { data?: { name?: string } } | undefined)?.data?.name)).toEqual(['acme-a', 'acme-c', 'acme-a']);
    // The list carries the kind of each object, as a GET's answer does.
    expect(a).toMatchObject({ apiVersion: 'v1', kind: 'ConfigMap' });
    expect(gone).toBeUndefined();
    expect(tls?.metadata.name).toBe('acme-tls');

    // Asked later, on its own: a batch of one, a GET.
    await expect(batch.read(CONFIGMAP, NS, 'acme-b')).resolves.toMatchObject({ metadata: { name: 'acme-b' } });
    expect(reads(fake)).toEqual(['list ConfigMap', 'get Secret', 'get ConfigMap']);
  });

  it('when the list of one kind is refused, then its reads fail with that error and the other kind is answered', async () => {
    const fake = await server();
    fake.failNext('list', new ApiError('etcdserver: request timed out', 504), { kind: 'ConfigMap' });
    const batch = new ReadBatch(fake.asClient(), 'app.kubernetes.io/instance=acme');

    const [a, b, tls] = await Promise.allSettled([
      batch.read(CONFIGMAP, NS, 'acme-a'),
      batch.read(CONFIGMAP, NS, 'acme-b'),
      batch.read(SECRET, NS, 'acme-tls'),
    ]);

    expect(a).toMatchObject({ status: 'rejected', reason: { status: 504 } });
    expect(b).toMatchObject({ status: 'rejected', reason: { status: 504 } });
    expect(tls).toMatchObject({ status: 'fulfilled', value: { metadata: { name: 'acme-tls' } } });
  });
});
