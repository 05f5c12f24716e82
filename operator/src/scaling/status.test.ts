import { describe, expect, it } from '@jest/globals';
import { platform } from '../api/fixtures.js';
import type { Reading } from './engine.js';
import { HEALTHY } from './fallback.js';
import { computeScalingStatus, type ComponentScalingInput } from './status.js';
import { lagMetric as lag } from '../api/testing/metrics.js';

const closed = { minReplicas: undefined, open: [], invalid: [] };
const reading = (value: number | undefined, state = HEALTHY): Reading => ({
  metric: lag,
  value,
  readAt: value === undefined ? undefined : new Date(),
  state,
});
const input = (over: Partial<ComponentScalingInput> = {}): ComponentScalingInput => ({
  name: 'kyc',
  hpa: undefined,
  deploymentReplicas: 3,
  readings: [],
  schedule: closed,
  ...over,
});

describe('computeScalingStatus', () => {
  const p = platform({
    autoscaling: { metrics: { queueLag: { targetLagPerReplica: 100 } } },
    components: { gateway: { autoscaling: { enabled: false } } },
  });

  it('explains the deciding metric with the HPA counts, and reports scaling active', () => {
    const s = computeScalingStatus(p, [
      input({ readings: [reading(4200)], hpa: { status: { currentReplicas: 20, desiredReplicas: 20 } } }),
    ]);
    expect(s.scaling.kyc).toEqual({
      mode: 'Autoscaled',
      minReplicas: 3,
      maxReplicas: 20,
      currentReplicas: 20,
      desiredReplicas: 20,
      reason: 'kafka lag 4200 / 100 per pod → 20 (max)',
      fallback: false,
      metrics: [
        {
          name: 'kafka-consumer-lag',
          value: '4200',
          target: '100 per pod',
          replicas: 20,
          message: 'kafka lag 4200 / 100 per pod → 20 (max)',
        },
      ],
    });
    expect(s.active).toMatchObject({ status: 'True', reason: 'HPAsActive' });
    expect(s.degraded).toMatchObject({ status: 'False', reason: 'AsExpected' });
  });

  it('puts an open window that asks for more first', () => {
    const s = computeScalingStatus(p, [
      input({ readings: [reading(50)], schedule: { minReplicas: 6, open: ['business-hours'], invalid: [] } }),
    ]);
    expect(s.scaling.kyc?.reason).toBe('business-hours window active → min 6; kafka lag 50 / 100 per pod → 6 (min)');
    expect(s.scaling.kyc?.minReplicas).toBe(6);
  });

  it('reports failing sources, the fallback and invalid schedules as ScalingDegraded', () => {
    const failing = { consecutiveFailures: 1, inFallback: false, lastError: 'broker down' };
    expect(computeScalingStatus(p, [input({ readings: [reading(undefined, failing)] })]).degraded).toMatchObject({
      status: 'True',
      reason: 'MetricSourceFailing',
    });
    const withFallback = platform({ ...p.spec, autoscaling: { ...p.spec.autoscaling, fallback: { replicas: 5 } } });
    const s = computeScalingStatus(withFallback, [
      input({ readings: [reading(undefined, { consecutiveFailures: 3, inFallback: true, lastError: 'broker down' })] }),
    ]);
    expect(s.degraded).toMatchObject({ status: 'True', reason: 'FallbackActive' });
    expect(s.degraded.message).toContain('fallback replicas in force for kyc; kafka-consumer-lag of kyc: broker down');
    expect(s.scaling.kyc).toMatchObject({ fallback: true, reason: 'kafka-consumer-lag failed 3 times → fallback 5' });
    const ownFallback = platform({
      ...withFallback.spec,
      components: { ...p.spec.components, kyc: { autoscaling: { fallback: { replicas: 9 } } } },
    });
    const own = computeScalingStatus(ownFallback, [
      input({ readings: [reading(undefined, { consecutiveFailures: 3, inFallback: true, lastError: 'broker down' })] }),
    ]);
    expect(own.scaling.kyc).toMatchObject({ fallback: true, reason: 'kafka-consumer-lag failed 3 times → fallback 9' });
    const invalid = computeScalingStatus(p, [
      input({ schedule: { minReplicas: undefined, open: [], invalid: ['schedule x: unknown time zone "Mars/Base"'] } }),
    ]);
    expect(invalid.degraded).toMatchObject({ status: 'True', reason: 'InvalidSchedule' });
  });

  it('says when HPAs do not scale, and describes fixed components', () => {
    const s = computeScalingStatus(p, [
      input({
        hpa: {
          status: { conditions: [{ type: 'ScalingActive', status: 'False', reason: 'FailedGetExternalMetric', message: 'no metric' }] },
        },
      }),
      input({ name: 'gateway' }),
    ]);
    expect(s.active).toMatchObject({ status: 'False', reason: 'HPANotScaling', message: 'kyc: FailedGetExternalMetric no metric' });
    expect(s.scaling.gateway).toEqual({ mode: 'Fixed', minReplicas: 3, maxReplicas: 3, reason: 'fixed at 3 replicas' });
    expect(s.scaling.kyc?.reason).toBe('cpu 70% / memory 80% targets (HPA) within 3-20');
    const none = computeScalingStatus(platform({ profile: 'development' }), [input()]);
    expect(none.active).toMatchObject({ status: 'False', reason: 'NotAutoscaled' });
  });
});

describe('computeScalingStatus when another server holds external.metrics.k8s.io', () => {
  const withMetrics = platform({ autoscaling: { metrics: { queueLag: { targetLagPerReplica: 100 } } } });

  it('when a component has custom metrics, then ScalingDegraded names the owner and the components', () => {
    const s = computeScalingStatus(withMetrics, [input({ readings: [reading(50)] })], {
      externalMetricsOwner: 'keda/keda-operator-metrics-apiserver',
    });
    expect(s.degraded).toMatchObject({ status: 'True', reason: 'ExternalMetricsOwnedElsewhere' });
    expect(s.degraded.message).toContain('served by keda/keda-operator-metrics-apiserver');
    expect(s.degraded.message).toContain('custom metrics of kyc');
  });

  it('when no component has custom metrics, then it does not matter who holds it', () => {
    const s = computeScalingStatus(platform({}), [input()], { externalMetricsOwner: 'keda/keda-operator-metrics-apiserver' });
    expect(s.degraded).toMatchObject({ status: 'False', reason: 'AsExpected' });
  });
});

describe('computeScalingStatus with provider keda', () => {
  const keda = platform({ autoscaling: { provider: 'keda', metrics: { queueLag: { targetLagPerReplica: 100 } } } });

  it('when KEDA holds external.metrics.k8s.io, then that is as it should be', () => {
    const s = computeScalingStatus(keda, [input({ readings: [reading(50)] })], {
      externalMetricsOwner: 'keda/keda-operator-metrics-apiserver',
    });
    expect(s.degraded).toMatchObject({ status: 'False', reason: 'AsExpected' });
  });

  it('when KEDA is not installed, then ScalingDegraded says nothing scales the components', () => {
    const s = computeScalingStatus(keda, [input({ readings: [reading(50)] })], { kedaMissing: true });
    expect(s.degraded).toMatchObject({ status: 'True', reason: 'KedaNotInstalled' });
    expect(s.degraded.message).toContain('scaledobjects.keda.sh');
  });
});
