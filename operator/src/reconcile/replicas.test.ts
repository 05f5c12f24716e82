import { describe, expect, it } from '@jest/globals';
import type { KubeResource } from '../runtime/kube.js';
import { replicasOwnership } from '../runtime/slim.js';
import { appliesReplicas, handoverPatch, HANDOVER_FIELD_MANAGER, replicasToHandOver } from './replicas.js';

const OPERATOR = 'kyc-operator';

function deployment(
  replicas: number | undefined,
  managers: { manager: string; operation: string; replicas: boolean }[] = [],
): KubeResource {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: {
      name: 'p-gateway',
      namespace: 'ns',
      managedFields: managers.map((m) => ({
        manager: m.manager,
        operation: m.operation,
        fieldsV1: { 'f:spec': { ...(m.replicas ? { 'f:replicas': {} } : {}), 'f:template': {} } },
      })),
    },
    spec: replicas === undefined ? {} : { replicas },
  };
}

function hpa(min: number, max: number, target = 'p-gateway'): KubeResource {
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: { name: target, namespace: 'ns' },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: target }, minReplicas: min, maxReplicas: max },
  };
}

const operatorOwns = [{ manager: OPERATOR, operation: 'Apply', replicas: true }];

describe('replicasToHandOver', () => {
  it('when autoscaling is switched on and the operator owns replicas, then the live count is handed over', () => {
    const desired = deployment(undefined);
    expect(replicasToHandOver(desired, deployment(4, operatorOwns), [desired, hpa(3, 20)], OPERATOR)).toBe(4);
  });

  it('when the live count is outside the HPA bounds, then it is clamped into them (what the HPA would do)', () => {
    const desired = deployment(undefined);
    expect(replicasToHandOver(desired, deployment(1, operatorOwns), [desired, hpa(3, 20)], OPERATOR)).toBe(3);
    expect(replicasToHandOver(desired, deployment(30, operatorOwns), [desired, hpa(3, 20)], OPERATOR)).toBe(20);
  });

  it('when the HPA or another manager already owns replicas, then nothing is handed over', () => {
    const desired = deployment(undefined);
    const hpaOwns = [
      { manager: OPERATOR, operation: 'Apply', replicas: false },
      { manager: 'kube-controller-manager', operation: 'Update', replicas: true },
    ];
    expect(replicasToHandOver(desired, deployment(5, hpaOwns), [desired, hpa(3, 20)], OPERATOR)).toBeUndefined();
    const handedOver = [{ manager: HANDOVER_FIELD_MANAGER, operation: 'Apply', replicas: true }];
    expect(replicasToHandOver(desired, deployment(5, handedOver), [desired, hpa(3, 20)], OPERATOR)).toBeUndefined();
  });

  it('when the rendered Deployment sets replicas, the object is new, or it is not a Deployment, then nothing is handed over', () => {
    expect(replicasToHandOver(deployment(2), deployment(4, operatorOwns), [], OPERATOR)).toBeUndefined();
    expect(replicasToHandOver(deployment(undefined), undefined, [], OPERATOR)).toBeUndefined();
    const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'p-gateway', namespace: 'ns' } };
    expect(replicasToHandOver(service, deployment(4, operatorOwns), [], OPERATOR)).toBeUndefined();
  });

  it('the hand-over body carries only the identity and spec.replicas', () => {
    expect(handoverPatch(deployment(undefined), 4)).toEqual({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'p-gateway', namespace: 'ns' },
      spec: { replicas: 4 },
    });
  });
});

describe('replicasOwnership (what the caches keep of managedFields)', () => {
  it('keeps only the owners of spec.replicas, reduced to that field, and still tells who applies it', () => {
    const live = deployment(4, [...operatorOwns, { manager: 'kubectl', operation: 'Update', replicas: false }]);
    const kept = replicasOwnership(live.metadata.managedFields);
    expect(kept).toEqual([{ manager: OPERATOR, operation: 'Apply', fieldsV1: { 'f:spec': { 'f:replicas': {} } } }]);
    expect(appliesReplicas({ ...live, metadata: { ...live.metadata, managedFields: kept } }, OPERATOR)).toBe(true);
  });

  it('returns undefined when nobody owns spec.replicas or there are no managedFields', () => {
    expect(
      replicasOwnership(deployment(undefined, [{ manager: OPERATOR, operation: 'Apply', replicas: false }]).metadata.managedFields),
    ).toBeUndefined();
    expect(replicasOwnership(undefined)).toBeUndefined();
  });
});
