import { describe, expect, it } from '@jest/globals';
import { Applier, decide, SPEC_HASH_ANNOTATION, withSpecHash } from './apply.js';
import { hashOf, projectOnto } from './hash.js';
import type { KubeClient, KubeResource, ResourceType } from './kube.js';

const desired: KubeResource = {
  apiVersion: 'v1',
  kind: 'ConfigMap',
  metadata: { name: 'cfg', namespace: 'ns', labels: { app: 'kyc' } },
  data: { mode: 'dev' },
};

function serverCopy(object: KubeResource, extra: Partial<KubeResource['metadata']> = {}): KubeResource {
  return { ...structuredClone(object), metadata: { ...structuredClone(object.metadata), uid: 'u1', resourceVersion: '7', ...extra } };
}

describe('withSpecHash', () => {
  it('annotates the object with a hash of everything else', () => {
    const { object, hash } = withSpecHash(desired);
    expect(object.metadata.annotations?.[SPEC_HASH_ANNOTATION]).toBe(hash);
    expect(withSpecHash({ ...desired, data: { mode: 'prod' } }).hash).not.toBe(hash);
    expect(desired.metadata.annotations).toBeUndefined();
  });
});

describe('decide', () => {
  const { object, hash } = withSpecHash(desired);
  const live = serverCopy(object);
  const record = { hash, projection: hashOf(projectOnto(object, live)) };

  it('creates a missing object and one being deleted', () => {
    expect(decide(object, hash, undefined, record)).toBe('created');
    expect(decide(object, hash, serverCopy(object, { deletionTimestamp: 'now' }), record)).toBe('created');
  });

  it('updates when the desired state changed', () => {
    const next = withSpecHash({ ...desired, data: { mode: 'prod' } });
    expect(decide(next.object, next.hash, live, record)).toBe('updated');
  });

  it('writes nothing for an unchanged object, even when the server added fields', () => {
    const touched = serverCopy(object, { resourceVersion: '9', managedFields: [{ manager: 'x' }] });
    expect(decide(object, hash, touched, record)).toBe('unchanged');
    // Without a record of its own write (after a restart) it compares field by field.
    expect(decide(object, hash, touched, undefined)).toBe('unchanged');
  });

  it('restores a field someone edited, while the hash annotation still matches', () => {
    const edited = { ...serverCopy(object), data: { mode: 'hacked' } };
    expect(decide(object, hash, edited, record)).toBe('restored');
    expect(decide(object, hash, edited, undefined)).toBe('restored');
  });

  it('does not look again at a resourceVersion it already found clean', () => {
    const verified = { ...record, verifiedVersion: '7' };
    // Same version as verified: unchanged without comparing (the cheap path of a resync).
    expect(decide(object, hash, live, verified)).toBe('unchanged');
    // A newer version is compared again, and an edit in it is found.
    expect(decide(object, hash, { ...serverCopy(object, { resourceVersion: '8' }), data: { mode: 'hacked' } }, verified)).toBe('restored');
  });

  it('ignores labels someone else added', () => {
    const labelled = serverCopy(object, { labels: { app: 'kyc', team: 'risk' } });
    expect(decide(object, hash, labelled, record)).toBe('unchanged');
  });
});

describe('Applier hashes', () => {
  const CONFIG_MAP: ResourceType = { apiVersion: 'v1', kind: 'ConfigMap', plural: 'configmaps', namespaced: true };
  function testApplier() {
    const applied: KubeResource[] = [];
    const client = {
      apply: (_type: ResourceType, object: KubeResource) => {
        applied.push(object);
        return Promise.resolve(serverCopy(object, { resourceVersion: String(applied.length) }));
      },
    } as unknown as KubeClient;
    return { applier: new Applier(client), applied };
  }

  it('when a render is handed in again with the hash kept from before, then that hash is the one compared, and nothing is written', async () => {
    const { applier, applied } = testApplier();
    const hash = applier.specHash(desired);
    const { object: live } = await applier.ensure(CONFIG_MAP, desired, undefined);
    expect(applied).toHaveLength(1);

    const again = structuredClone(desired);
    applier.knownHash(again, hash);
    expect(await applier.ensure(CONFIG_MAP, again, live)).toMatchObject({ action: 'unchanged' });
    expect(applied).toHaveLength(1);

    // The kept hash is taken as given, not checked: a different one means a different desired state.
    const stale = structuredClone(desired);
    applier.knownHash(stale, '0000000000000000');
    expect(await applier.ensure(CONFIG_MAP, stale, live)).toMatchObject({ action: 'updated' });
    expect(applied.at(-1)?.metadata.annotations?.[SPEC_HASH_ANNOTATION]).toBe('0000000000000000');
  });
});
