import { describe, expect, it } from '@jest/globals';
import type { Condition } from '../api/types.js';
import { dependencyProblem, modeProblem, withDegradation, type PodHealth } from './degradation.js';
import type { OwnedStatus } from './status.js';

const ok = { database: 'OK', cache: 'OK', externalAPIs: 'OK' } as const;
const pod = (component: PodHealth['component'], name: string, checks: PodHealth['checks'] = ok): PodHealth => ({
  component,
  pod: name,
  checks,
});
const now = new Date('2026-12-05T13:00:00Z');

function status(degraded?: Pick<Condition, 'status' | 'reason' | 'message'>, phase: OwnedStatus['phase'] = 'Ready'): OwnedStatus {
  const condition = degraded ?? { status: 'False', reason: 'AsExpected', message: 'no problems found' };
  return {
    observedGeneration: 3,
    phase,
    conditions: [
      { type: 'Ready', status: 'True', reason: 'AllComponentsReady', message: '5/5', lastTransitionTime: '2026-12-05T12:00:00Z' },
      { type: 'Degraded', lastTransitionTime: '2026-12-05T12:00:00Z', ...condition },
    ],
    components: {},
    readyComponents: '5/5',
  };
}

describe('dependencyProblem', () => {
  it('when every pod answers OK, then nothing is reported', () => {
    expect(dependencyProblem([pod('kyc', 'k1'), pod('auth', 'a1')])).toBeUndefined();
  });

  it('when postgres is down for both kyc pods, then it names postgres, kyc, the pod count and what is refused', () => {
    const problem = dependencyProblem([
      pod('kyc', 'k1', { ...ok, database: 'ERROR' }),
      pod('kyc', 'k2', { ...ok, database: 'ERROR' }),
      pod('gateway', 'g1'),
    ]);
    expect(problem).toEqual({
      reason: 'DependencyUnavailable',
      message: 'postgres unreachable from kyc (2/2 pods): writes refused with 503 + Retry-After, reads that need the database too',
    });
  });

  it('when the gateway reports externalAPIs down, then it is an upstream breaker, not Kafka', () => {
    expect(dependencyProblem([pod('gateway', 'g1', { ...ok, externalAPIs: 'ERROR' })])?.message).toMatch(
      /^upstreams unreachable from gateway \(1\/1 pods\): requests to an upstream/,
    );
  });

  it('when several dependencies are down, then each is named with its components in a stable order; pods that did not answer are not counted', () => {
    const problem = dependencyProblem([
      pod('notification', 'n1', { ...ok, externalAPIs: 'ERROR' }),
      pod('kyc', 'k1', { ...ok, database: 'ERROR' }),
      pod('auth', 'a1', { ...ok, database: 'ERROR' }),
      pod('auth', 'a2'),
      { component: 'auth', pod: 'a3', checks: undefined },
    ]);
    expect(problem?.message).toBe(
      'kafka unreachable from notification (1/1 pods): events wait in the outbox and are delivered when it is back; ' +
        'postgres unreachable from auth (1/2 pods), kyc (1/1 pods): writes refused with 503 + Retry-After, reads that need the database too',
    );
  });
});

describe('withDegradation', () => {
  it('when a forced mode is in force, then Degraded says ReadOnlyMode and the phase stays as it was', () => {
    const next = withDegradation(status(), 'ReadOnly', [pod('kyc', 'k1')], undefined, now);
    expect(next.phase).toBe('Ready');
    expect(next.conditions.find((c) => c.type === 'Degraded')).toMatchObject({
      status: 'True',
      reason: 'ReadOnlyMode',
      observedGeneration: 3,
    });
    expect(modeProblem('Maintenance')?.reason).toBe('MaintenanceMode');
    expect(modeProblem('Normal')).toBeUndefined();
  });

  it('when a dependency is down under a forced mode, then the fault names the condition and the mode follows in its message; phase Degraded', () => {
    const next = withDegradation(status(), 'Maintenance', [pod('kyc', 'k1', { ...ok, cache: 'ERROR' })], undefined, now);
    const degraded = next.conditions.find((c) => c.type === 'Degraded');
    expect([next.phase, degraded?.reason, degraded?.lastTransitionTime]).toEqual([
      'Degraded',
      'DependencyUnavailable',
      '2026-12-05T13:00:00Z',
    ]);
    expect(degraded?.message).toMatch(/^redis unreachable from kyc \(1\/1 pods\): .* \| spec.degradation.mode is Maintenance: /);
  });

  it('when a rollout problem holds Degraded, then it stays (it blocks the release)', () => {
    const blocked = status({ status: 'True', reason: 'ApplyFailed', message: 'apply Deployment' }, 'Degraded');
    expect(withDegradation(blocked, 'ReadOnly', [pod('kyc', 'k1', { ...ok, database: 'ERROR' })], undefined, now)).toBe(blocked);
  });

  it('when no round was read this pass, then the previous dependency verdict stands, without the mode part it had', () => {
    const previous = status({
      status: 'True',
      reason: 'DependencyUnavailable',
      message: 'postgres unreachable from kyc (1/1 pods): x | spec.degradation.mode is ReadOnly: y',
    }).conditions;
    const next = withDegradation(status(), 'Normal', undefined, previous, now);
    expect(next.conditions.find((c) => c.type === 'Degraded')).toMatchObject({
      reason: 'DependencyUnavailable',
      message: 'postgres unreachable from kyc (1/1 pods): x',
      lastTransitionTime: '2026-12-05T12:00:00Z',
    });
    expect(withDegradation(status(), 'Normal', undefined, undefined, now)).toEqual(status());
  });
});
