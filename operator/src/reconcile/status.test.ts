import { describe, expect, it } from '@jest/globals';
import { platform as makePlatform } from '../api/fixtures.js';
import type { KycPlatform } from '../api/types.js';
import {
  computeStatus,
  conditionOf,
  refusedStatus,
  secretsVerifiedCondition,
  statusUpToDate,
  type DeploymentView,
  type ObservedComponent,
} from './status.js';

const now = new Date('2026-11-26T10:00:00.000Z');
const later = new Date('2026-11-26T10:05:00.000Z');

function deployment(replicas: number, available: number, generation = 1, observed = 1): DeploymentView {
  return {
    metadata: { generation },
    spec: { replicas },
    status: { observedGeneration: observed, replicas, readyReplicas: available, updatedReplicas: replicas, availableReplicas: available },
  };
}

const names = ['gateway', 'kyc', 'auth', 'notification', 'analytics'] as const;
const all = (d: (i: number) => DeploymentView | undefined): ObservedComponent[] => names.map((name, i) => ({ name, deployment: d(i) }));

describe('computeStatus', () => {
  const platform = makePlatform({ version: '2.0.0' });

  it('is Ready with 5/5 and the active version when every Deployment rolled out', () => {
    const status = computeStatus(
      platform,
      all(() => deployment(1, 1)),
      undefined,
      now,
    );
    expect(status).toMatchObject({ phase: 'Ready', readyComponents: '5/5', activeVersion: '2.0.0', observedGeneration: 1 });
    expect(conditionOf(status, 'Ready')).toMatchObject({ status: 'True', reason: 'AllComponentsReady' });
    expect(conditionOf(status, 'Progressing')).toMatchObject({ status: 'False', reason: 'RolloutComplete' });
    expect(conditionOf(status, 'Degraded')).toMatchObject({ status: 'False' });
    expect(status.components.kyc).toEqual({ desired: 1, ready: 1, updated: 1, available: 1 });
  });

  it('is Progressing and names what it waits for while a component is not available', () => {
    const status = computeStatus(
      platform,
      all((i) => deployment(2, i === 1 ? 1 : 2)),
      undefined,
      now,
    );
    expect(status.phase).toBe('Progressing');
    expect(status.readyComponents).toBe('4/5');
    expect(status.activeVersion).toBeUndefined();
    expect(conditionOf(status, 'Ready')?.message).toContain('kyc (1/2 available');
    expect(conditionOf(status, 'Progressing')).toMatchObject({ status: 'True', reason: 'RollingOut' });
  });

  it('is Pending before any Deployment exists', () => {
    expect(
      computeStatus(
        platform,
        all(() => undefined),
        undefined,
        now,
      ).phase,
    ).toBe('Pending');
  });

  it('is not Ready while the Deployment controller has not seen the new spec', () => {
    expect(
      computeStatus(
        platform,
        all(() => deployment(1, 1, 2, 1)),
        undefined,
        now,
      ).readyComponents,
    ).toBe('0/5');
  });

  it('is Degraded with the reason when an apply failed or a rollout is stuck', () => {
    const failed = computeStatus(
      platform,
      all(() => deployment(1, 1)),
      { reason: 'ApplyFailed', message: 'apply Deployment x: 422' },
      now,
    );
    expect(failed.phase).toBe('Degraded');
    expect(conditionOf(failed, 'Degraded')).toMatchObject({ status: 'True', reason: 'ApplyFailed', message: 'apply Deployment x: 422' });
    const stuck = deployment(1, 0);
    stuck.status!.conditions = [{ type: 'Progressing', status: 'False', reason: 'ProgressDeadlineExceeded', message: 'too slow' }];
    const status = computeStatus(
      platform,
      all((i) => (i === 0 ? stuck : deployment(1, 1))),
      undefined,
      now,
    );
    expect(conditionOf(status, 'Degraded')).toMatchObject({
      status: 'True',
      reason: 'ProgressDeadlineExceeded',
      message: 'gateway: too slow',
    });
  });

  it('keeps lastTransitionTime while a condition keeps its status, and keeps the last active version while rolling', () => {
    const first = computeStatus(
      platform,
      all(() => deployment(1, 1)),
      undefined,
      now,
    );
    const withStatus: KycPlatform = { ...platform, status: first };
    const again = computeStatus(
      withStatus,
      all(() => deployment(1, 1)),
      undefined,
      later,
    );
    expect(conditionOf(again, 'Ready')?.lastTransitionTime).toBe('2026-11-26T10:00:00Z');
    expect(statusUpToDate(withStatus.status, again)).toBe(true);
    const rolling = computeStatus(
      { ...withStatus, spec: { ...platform.spec, version: '2.1.0' } },
      all(() => deployment(1, 1, 2, 1)),
      undefined,
      later,
    );
    expect(conditionOf(rolling, 'Ready')).toMatchObject({ status: 'False', lastTransitionTime: '2026-11-26T10:05:00Z' });
    expect(rolling.activeVersion).toBe('2.0.0');
    expect(statusUpToDate(withStatus.status, rolling)).toBe(false);
  });

  it('reports only enabled components', () => {
    const status = computeStatus(platform, [{ name: 'gateway', deployment: deployment(1, 1) }], undefined, now);
    expect(status.readyComponents).toBe('1/1');
    expect(Object.keys(status.components)).toEqual(['gateway']);
  });
});

describe('refusedStatus', () => {
  it('when the platform Secret is refused, then Ready/Progressing are False, Degraded and SecretsVerified say InsecureSecrets, the phase is Failed, and the rest of the status is kept', () => {
    const running: KycPlatform = {
      ...makePlatform({ version: '2.0.0' }),
      status: {
        phase: 'Ready',
        activeVersion: '1.0.0',
        activeColor: 'blue',
        readyComponents: '5/5',
        release: { phase: 'Idle', activeColor: 'blue', activeVersion: '1.0.0' },
        conditions: [
          { type: 'Ready', status: 'True', reason: 'AllComponentsReady', message: '5/5', lastTransitionTime: '2026-11-26T09:00:00Z' },
          { type: 'ScalingActive', status: 'True', reason: 'Served', message: 'x', lastTransitionTime: '2026-11-26T09:00:00Z' },
        ],
      },
    };
    const status = refusedStatus(running, 'Secret s is not fit for production: pii-keys key k1 is all zero bytes', now);
    expect(status).toMatchObject({
      phase: 'Failed',
      activeVersion: '1.0.0',
      activeColor: 'blue',
      readyComponents: '5/5',
      release: { phase: 'Idle' },
      observedGeneration: 1,
    });
    expect(conditionOf(status, 'Ready')).toMatchObject({
      status: 'False',
      reason: 'InsecureSecrets',
      lastTransitionTime: '2026-11-26T10:00:00Z',
    });
    expect(conditionOf(status, 'Progressing')).toMatchObject({ status: 'False', reason: 'InsecureSecrets' });
    expect(conditionOf(status, 'Degraded')).toMatchObject({ status: 'True', reason: 'InsecureSecrets' });
    expect(conditionOf(status, 'SecretsVerified')).toMatchObject({
      status: 'False',
      reason: 'InsecureSecrets',
      message: expect.stringContaining('pii-keys'),
    });
    expect(conditionOf(status, 'ScalingActive')?.status).toBe('True');
    expect(status.conditions?.filter((c) => c.type === 'Ready')).toHaveLength(1);
  });

  it('when the Secret passes, then SecretsVerified is True and keeps its transition time while it stays so', () => {
    const first = secretsVerifiedCondition(makePlatform(), 's', now);
    expect(first).toMatchObject({
      type: 'SecretsVerified',
      status: 'True',
      reason: 'SecretsAccepted',
      lastTransitionTime: '2026-11-26T10:00:00Z',
    });
    const again = secretsVerifiedCondition({ ...makePlatform(), status: { conditions: [first] } }, 's', later);
    expect(again.lastTransitionTime).toBe(first.lastTransitionTime);
  });
});
