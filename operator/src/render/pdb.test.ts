import { describe, expect, it } from '@jest/globals';
import { platform } from '../api/fixtures.js';
import { renderPodDisruptionBudget } from './pdb.js';

describe('renderPodDisruptionBudget', () => {
  it('allows one voluntary eviction at a time whatever the replica count', () => {
    for (const profile of ['development', 'production'] as const) {
      const pdb = renderPodDisruptionBudget(platform({ profile }), 'gateway');
      expect(pdb.spec).toEqual({
        maxUnavailable: 1,
        selector: { matchLabels: { 'app.kubernetes.io/instance': 'acme', 'app.kubernetes.io/component': 'gateway' } },
        unhealthyPodEvictionPolicy: 'AlwaysAllow',
      });
    }
  });
});
