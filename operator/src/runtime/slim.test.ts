import { describe, expect, it } from '@jest/globals';
import type { KubeResource } from './kube.js';
import { bodyDigest, compact, isCompact, replicasOwnership, StringTable } from './slim.js';

/** A Deployment as a watch delivers it: every string a fresh copy. */
function parsedDeployment(platform: string, uid: string): Record<string, unknown> {
  return JSON.parse(
    JSON.stringify({
      metadata: { name: `${platform}-kyc-blue`, uid, resourceVersion: uid.slice(0, 4), labels: { 'app.kubernetes.io/name': 'kyc' } },
      spec: {
        template: {
          spec: {
            containers: [
              { name: 'kyc', image: 'kyc:1.4.2', args: ['--port', '8080'], env: [{ name: 'KAFKA_BROKERS', value: 'kafka:9092' }] },
            ],
          },
        },
      },
      status: { conditions: [{ type: 'Available', lastTransitionTime: '2026-12-06T10:00:00Z' }] },
    }),
  ) as Record<string, unknown>;
}

describe('StringTable', () => {
  it('leaves every value as it was, in objects and in arrays', () => {
    const table = new StringTable();
    const object = parsedDeployment('p1', 'a1b2c3d4-0000');
    table.internAll(object);
    expect(object).toEqual(parsedDeployment('p1', 'a1b2c3d4-0000'));
  });

  it('records a value repeated across objects once, and not the values unique to one object or write', () => {
    const table = new StringTable();
    table.internAll(parsedDeployment('p1', 'a1b2c3d4-0000'));
    const afterOne = table.size;
    table.internAll(parsedDeployment('p2', 'e5f6a7b8-1111'));
    // The second platform adds its own name only: the image, environment, label and arguments are shared.
    expect(table.size).toBe(afterOne + 1);
    // uid, resourceVersion and lastTransitionTime are never recorded.
    expect(afterOne).toBe(['p1-kyc-blue', 'kyc', 'kyc:1.4.2', '--port', '8080', 'KAFKA_BROKERS', 'kafka:9092', 'Available'].length);
  });

  it('skips long values and forgets everything once full', () => {
    const table = new StringTable(3, 8);
    table.internAll({ a: 'x'.repeat(9), b: ['one', 'two', 'three'] });
    expect(table.size).toBe(3);
    table.internAll({ c: 'four' });
    expect(table.size).toBe(1);
  });

  it('does not touch a frozen object', () => {
    const table = new StringTable();
    const frozen = Object.freeze({ name: 'kyc', nested: { image: 'kyc:1' } });
    expect(() => table.internAll(frozen)).not.toThrow();
    expect(table.size).toBe(0);
  });
});

describe('replicasOwnership', () => {
  it('keeps only the managers of spec.replicas', () => {
    const owners = replicasOwnership([
      { manager: 'kyc-operator', operation: 'Apply', fieldsV1: { 'f:spec': { 'f:replicas': {}, 'f:template': {} } } },
      { manager: 'kube-controller-manager', operation: 'Update', fieldsV1: { 'f:status': {} } },
    ]);
    expect(owners).toEqual([{ manager: 'kyc-operator', operation: 'Apply', fieldsV1: { 'f:spec': { 'f:replicas': {} } } }]);
    expect(replicasOwnership([{ manager: 'x', fieldsV1: {} }])).toBeUndefined();
    expect(replicasOwnership(undefined)).toBeUndefined();
  });
});

describe('compact', () => {
  const deployment = (): KubeResource => ({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'p1-kyc',
      namespace: 'ns',
      resourceVersion: '7',
      labels: { app: 'kyc' },
      annotations: { 'kyc.dev/spec-hash': 'abc' },
      ownerReferences: [{ apiVersion: 'kyc.dev/v1alpha1', kind: 'KycPlatform', name: 'p1', uid: 'u1' }],
    },
    spec: { replicas: 2, template: { spec: { containers: [{ name: 'kyc', image: 'kyc:1.4.2' }] } } },
    status: { readyReplicas: 2 },
  });

  it('keeps the metadata, the status and spec.replicas, and the digest of the full object', () => {
    const full = deployment();
    const kept = compact(full);
    expect(kept).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: full.metadata,
      spec: { replicas: 2 },
      status: { readyReplicas: 2 },
    });
    expect(isCompact(kept)).toBe(true);
    expect(isCompact(full)).toBe(false);
    expect(bodyDigest(kept)).toBe(bodyDigest(full));
    expect(compact(kept)).toBe(kept);
  });

  it('gives the same digest whatever the status, spec.replicas or the Deployment controller annotations say', () => {
    const before = bodyDigest(deployment());
    const moved = deployment();
    moved.status = { readyReplicas: 0, conditions: [{ type: 'Progressing' }] };
    (moved.spec as { replicas: number }).replicas = 9;
    moved.metadata.annotations = { ...moved.metadata.annotations, 'deployment.kubernetes.io/revision': '3' };
    moved.metadata.resourceVersion = '99';
    expect(bodyDigest(moved)).toBe(before);
  });

  it('gives another digest for an edited body, label, annotation or owner', () => {
    const before = bodyDigest(deployment());
    const edits: ((o: KubeResource) => void)[] = [
      (o) => {
        (o.spec as { template: { spec: { containers: { image: string }[] } } }).template.spec.containers[0]!.image = 'evil:1';
      },
      (o) => {
        o.metadata.labels = { app: 'other' };
      },
      (o) => {
        o.metadata.annotations = { 'kyc.dev/spec-hash': 'abd' };
      },
      (o) => {
        o.metadata.ownerReferences = [];
      },
      (o) => {
        o.data = { extra: 'x' };
      },
    ];
    for (const edit of edits) {
      const edited = deployment();
      edit(edited);
      expect(bodyDigest(edited)).not.toBe(before);
    }
  });

  it('leaves an object without a body or status without one', () => {
    const account: KubeResource = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'p1-kyc', namespace: 'ns' } };
    expect(compact(account)).toEqual(account);
  });
});
