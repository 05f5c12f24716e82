import { describe, expect, it } from '@jest/globals';
import { componentReady, componentStatus, type DeploymentLike } from './observed.js';

const rolledOut = (replicas: number): DeploymentLike => ({
  metadata: { generation: 2 },
  spec: { replicas },
  status: { observedGeneration: 2, replicas, readyReplicas: replicas, updatedReplicas: replicas, availableReplicas: replicas },
});

describe('component status', () => {
  it('reads desired, ready, updated and available', () => {
    expect(componentStatus(rolledOut(3))).toEqual({ desired: 3, ready: 3, updated: 3, available: 3 });
    expect(componentStatus({})).toEqual({ desired: 1, ready: 0, updated: 0, available: 0 });
  });

  it('is ready only when the latest generation is fully rolled out', () => {
    expect(componentReady(rolledOut(3))).toBe(true);
    expect(componentReady({ ...rolledOut(3), status: { ...rolledOut(3).status, observedGeneration: 1 } })).toBe(false);
    expect(componentReady({ ...rolledOut(3), status: { ...rolledOut(3).status, updatedReplicas: 2 } })).toBe(false);
    expect(componentReady({ ...rolledOut(3), status: { ...rolledOut(3).status, replicas: 4 } })).toBe(false);
  });
});
