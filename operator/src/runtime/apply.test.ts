import { describe, expect, it } from '@jest/globals';
import { Applier, decide, SPEC_HASH_ANNOTATION, withSpecHash } from './apply.js';
import { hashOf, projectOnto } from './hash.js';
import type { KubeClient, KubeResource, ResourceType } from './kube.js';
import { compact } from './slim.js';

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

describe('drift against compacted cache objects', () => {
  const DEPLOYMENTS: ResourceType = { apiVersion: 'apps/v1', kind: 'Deployment', plural: 'deployments', namespaced: true };
  const deployment: KubeResource = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'p1-kyc', namespace: 'ns', labels: { app: 'kyc' } },
    spec: { replicas: 2, template: { spec: { containers: [{ name: 'kyc', image: 'kyc:1.4.2' }] } } },
  };

  /** A server that answers applies and GETs from one stored object, and counts both. */
  function server() {
    let stored: KubeResource | undefined;
    let version = 10;
    const calls = { apply: 0, get: 0 };
    const client = {
      apply: (_type: ResourceType, object: KubeResource) => {
        calls.apply += 1;
        version += 1;
        stored = serverCopy(object, { resourceVersion: String(version) });
        return Promise.resolve(structuredClone(stored));
      },
      get: () => {
        calls.get += 1;
        return Promise.resolve(stored && structuredClone(stored));
      },
    } as unknown as KubeClient;
    /** Someone else changes the stored object: a new version, as the watch would deliver it. */
    const change = (edit: (object: KubeResource) => void): KubeResource => {
      if (!stored) throw new Error('nothing stored');
      edit(stored);
      version += 1;
      stored.metadata.resourceVersion = String(version);
      return compact(structuredClone(stored));
    };
    return { client, applier: new Applier(client), calls, change };
  }

  it('when only the status moved, then nothing is read or written', async () => {
    const { applier, calls, change } = server();
    await applier.ensure(DEPLOYMENTS, deployment, undefined);
    const live = change((o) => {
      o.status = { readyReplicas: 2 };
      o.metadata.annotations = { ...o.metadata.annotations, 'deployment.kubernetes.io/revision': '1' };
    });
    expect(await applier.ensure(DEPLOYMENTS, deployment, live)).toMatchObject({ action: 'unchanged' });
    expect(calls).toEqual({ apply: 1, get: 0 });
  });

  it('when someone edits the pod template, then the object is read whole once and put back', async () => {
    const { applier, calls, change } = server();
    await applier.ensure(DEPLOYMENTS, deployment, undefined);
    const live = change((o) => {
      (o.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0]!.image = 'evil:1';
    });
    expect(live.spec).toEqual({ replicas: 2 });
    expect(await applier.ensure(DEPLOYMENTS, deployment, live)).toMatchObject({ action: 'restored' });
    expect(calls).toEqual({ apply: 2, get: 1 });
  });

  it('when someone adds a label of their own, then it is read once, found clean, and not read again', async () => {
    const { applier, calls, change } = server();
    await applier.ensure(DEPLOYMENTS, deployment, undefined);
    const live = change((o) => {
      o.metadata.labels = { ...o.metadata.labels, team: 'risk' };
    });
    expect(await applier.ensure(DEPLOYMENTS, deployment, live)).toMatchObject({ action: 'unchanged' });
    expect(await applier.ensure(DEPLOYMENTS, deployment, live)).toMatchObject({ action: 'unchanged' });
    const later = change((o) => {
      o.status = { readyReplicas: 1 };
    });
    expect(await applier.ensure(DEPLOYMENTS, deployment, later)).toMatchObject({ action: 'unchanged' });
    expect(calls).toEqual({ apply: 1, get: 1 });
  });

  it('when spec.replicas the operator sets was changed, then it is put back without a read', async () => {
    const { applier, calls, change } = server();
    await applier.ensure(DEPLOYMENTS, deployment, undefined);
    const live = change((o) => {
      (o.spec as { replicas: number }).replicas = 5;
    });
    expect(await applier.ensure(DEPLOYMENTS, deployment, live)).toMatchObject({ action: 'restored' });
    expect(calls).toEqual({ apply: 2, get: 0 });
  });

  it('after a restart (no record), a compacted object is read whole once, then known by its digest', async () => {
    const first = server();
    await first.applier.ensure(DEPLOYMENTS, deployment, undefined);
    const restarted = new Applier(first.client);
    const live = first.change((o) => {
      o.status = { readyReplicas: 2 };
    });
    expect(await restarted.ensure(DEPLOYMENTS, deployment, live)).toMatchObject({ action: 'unchanged' });
    const later = first.change((o) => {
      o.status = { readyReplicas: 1 };
    });
    expect(await restarted.ensure(DEPLOYMENTS, deployment, later)).toMatchObject({ action: 'unchanged' });
    expect(first.calls).toEqual({ apply: 1, get: 1 });
  });

  it('a compacted object whose version was found clean is not looked at again', () => {
    const { object, hash } = withSpecHash(deployment);
    const live = compact(serverCopy(object));
    expect(decide(object, hash, live, undefined)).toBe('verify');
    expect(decide(object, hash, live, { hash, projection: 'x', verifiedVersion: '7' })).toBe('unchanged');
    // A record of another desired state says nothing of this one.
    expect(decide(object, hash, live, { hash: 'other', projection: 'x', verifiedVersion: '7' })).toBe('verify');
  });
});
