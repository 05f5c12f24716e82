import { describe, expect, it } from '@jest/globals';
import type { KubeResource } from '../runtime/kube.js';
import { componentOf, isOwnedBy, ownerKey, typeOf } from './resources.js';

const owned: KubeResource = {
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: {
    name: 'demo-gateway',
    namespace: 'team',
    labels: { 'app.kubernetes.io/instance': 'demo' },
    ownerReferences: [{ apiVersion: 'kyc.dev/v1alpha1', kind: 'KycPlatform', name: 'demo', uid: 'u1', controller: true }],
  },
};

describe('owned objects', () => {
  it('map to the key of their platform', () => {
    expect(ownerKey(owned)).toBe('team/demo');
    expect(ownerKey({ ...owned, metadata: { ...owned.metadata, ownerReferences: [] } })).toBeUndefined();
  });

  it('belong to a platform only with both the instance label and an owner reference with its uid', () => {
    expect(isOwnedBy(owned, 'demo', 'u1')).toBe(true);
    expect(isOwnedBy(owned, 'demo', 'u2')).toBe(false);
    expect(isOwnedBy(owned, 'other', 'u1')).toBe(false);
  });

  it('name their component by label, or else by name', () => {
    expect(componentOf(owned)).toBe('gateway');
    expect(componentOf({ ...owned, metadata: { name: 'x', labels: { 'app.kubernetes.io/component': 'auth' } } })).toBe('auth');
    expect(componentOf({ ...owned, metadata: { name: 'demo-kyc-blue' } })).toBe('kyc');
    expect(componentOf({ ...owned, metadata: { name: 'demo-config' } })).toBeUndefined();
  });

  it('resolve to their REST resource', () => {
    expect(typeOf({ apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' }).plural).toBe('poddisruptionbudgets');
    expect(() => typeOf({ apiVersion: 'v1', kind: 'Secret' })).toThrow(/does not manage Secret/);
  });
});
