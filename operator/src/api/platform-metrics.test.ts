import { describe, expect, it } from '@jest/globals';
import { platform } from './fixtures.js';
import { PLATFORM_GAUGES, platformSamples, type GaugeSample } from './platform-metrics.js';
import type { KycPlatform, KycPlatformStatus } from './types.js';

const id = { namespace: 'kyc-test', name: 'acme' };
const withStatus = (status: KycPlatformStatus): KycPlatform => ({ ...platform(), status });
const condition = (type: string, status: 'True' | 'False' | 'Unknown') => ({
  type,
  status,
  reason: 'R',
  message: '',
  lastTransitionTime: '2026-12-01T10:00:00Z',
});
const current = (samples: GaugeSample[]) => samples.filter((s) => s.value === 1).map((s) => s.labels);

describe('platformSamples', () => {
  it('when the operator has written no status yet, then the platform is not ready and has no phase or release series', () => {
    const samples = platformSamples(platform());
    expect(samples.ready).toEqual([{ labels: id, value: 0 }]);
    expect(samples.phase).toEqual([]);
    expect(samples.releasePhase).toEqual([]);
    expect(samples.scalingFallback).toEqual([]);
  });

  it('when Ready is True and the phase Ready, then ready is 1 and exactly one phase series is 1', () => {
    const samples = platformSamples(
      withStatus({ phase: 'Ready', conditions: [condition('Ready', 'True'), condition('Degraded', 'False')] }),
    );
    expect(samples.ready).toEqual([{ labels: id, value: 1 }]);
    expect(samples.phase).toHaveLength(5);
    expect(current(samples.phase)).toEqual([{ ...id, phase: 'Ready' }]);
    expect(current(samples.condition)).toEqual([
      { ...id, type: 'Ready', status: 'True' },
      { ...id, type: 'Degraded', status: 'False' },
    ]);
    expect(samples.condition).toHaveLength(6);
  });

  it('when the phase is Failed and Ready False, then ready is 0 and phase Failed is 1', () => {
    const samples = platformSamples(withStatus({ phase: 'Failed', conditions: [condition('Ready', 'False')] }));
    expect(samples.ready[0]?.value).toBe(0);
    expect(current(samples.phase)).toEqual([{ ...id, phase: 'Failed' }]);
  });

  it('reports the replica counts of every component in the status, a missing count as 0', () => {
    const samples = platformSamples(withStatus({ components: { gateway: { desired: 2, ready: 1, updated: 2 } } }));
    expect(samples.componentReplicas).toEqual([
      { labels: { ...id, component: 'gateway', state: 'desired' }, value: 2 },
      { labels: { ...id, component: 'gateway', state: 'ready' }, value: 1 },
      { labels: { ...id, component: 'gateway', state: 'updated' }, value: 2 },
      { labels: { ...id, component: 'gateway', state: 'available' }, value: 0 },
    ]);
  });

  it('when a release is Verifying, then its phase, when the phase began and its smoke-check failures are gauges, and it has not failed', () => {
    const samples = platformSamples(
      withStatus({ release: { phase: 'Verifying', phaseStartedAt: '2026-12-01T10:00:00Z', smokeCheckFailures: 2 } }),
    );
    expect(current(samples.releasePhase)).toEqual([{ ...id, phase: 'Verifying' }]);
    expect(samples.releasePhase).toHaveLength(7);
    expect(samples.releasePhaseStarted).toEqual([{ labels: id, value: Date.UTC(2026, 11, 1, 10) / 1000 }]);
    expect(samples.releaseSmokeCheckFailures).toEqual([{ labels: id, value: 2 }]);
    expect(samples.releaseFailed).toEqual([]);
  });

  it('when a release was aborted, then release_failed is 1 with the reason (Unknown when none was written)', () => {
    expect(platformSamples(withStatus({ release: { phase: 'Aborted', failureReason: 'SmokeCheckFailed' } })).releaseFailed).toEqual([
      { labels: { ...id, reason: 'SmokeCheckFailed' }, value: 1 },
    ]);
    expect(platformSamples(withStatus({ release: { phase: 'Aborted' } })).releaseFailed).toEqual([
      { labels: { ...id, reason: 'Unknown' }, value: 1 },
    ]);
  });

  it('when a component is in fallback and one metric cannot be read, then fallback is 1, that metric unavailable 1 and without a value', () => {
    const samples = platformSamples(
      withStatus({
        scaling: {
          kyc: {
            mode: 'Autoscaled',
            fallback: true,
            metrics: [
              { name: 'kafka-consumer-lag', message: 'Kafka unreachable', replicas: 6 },
              { name: 'http-requests-per-second', value: '12.5', replicas: 2 },
            ],
          },
          gateway: { mode: 'Autoscaled', fallback: false },
          auth: { mode: 'Fixed' },
        },
      }),
    );
    expect(samples.scalingFallback).toEqual([
      { labels: { ...id, component: 'kyc' }, value: 1 },
      { labels: { ...id, component: 'gateway' }, value: 0 },
    ]);
    expect(samples.scalingMetricUnavailable).toEqual([
      { labels: { ...id, component: 'kyc', metric: 'kafka-consumer-lag' }, value: 1 },
      { labels: { ...id, component: 'kyc', metric: 'http-requests-per-second' }, value: 0 },
    ]);
    expect(samples.scalingMetricValue).toEqual([{ labels: { ...id, component: 'kyc', metric: 'http-requests-per-second' }, value: 12.5 }]);
    expect(samples.scalingMetricReplicas.map((s) => s.value)).toEqual([6, 2]);
  });

  it("when a component autoscales, then its bounds and decision and each metric's target are series; a target it cannot read is left out", () => {
    const samples = platformSamples(
      withStatus({
        scaling: {
          kyc: {
            mode: 'Autoscaled',
            minReplicas: 2,
            maxReplicas: 10,
            currentReplicas: 3,
            desiredReplicas: 5,
            metrics: [
              { name: 'kafka-consumer-lag', value: '420', target: '100 per pod', replicas: 5 },
              { name: 'http-requests-per-second', value: '1500m', target: '2k', replicas: 1 },
              { name: 'odd', target: 'about ten' },
            ],
          },
        },
      }),
    );
    expect(samples.scalingReplicas).toEqual(
      (['min', 'max', 'current', 'desired'] as const).map((bound, i) => ({
        labels: { ...id, component: 'kyc', bound },
        value: [2, 10, 3, 5][i],
      })),
    );
    expect(samples.scalingMetricTarget).toEqual([
      { labels: { ...id, component: 'kyc', metric: 'kafka-consumer-lag', type: 'AverageValue' }, value: 100 },
      { labels: { ...id, component: 'kyc', metric: 'http-requests-per-second', type: 'Value' }, value: 2000 },
    ]);
    // scaling/status.ts writes fractions in milli-units (toQuantity): 1.5 is '1500m', a reading, not a failure.
    expect(samples.scalingMetricValue.map((s) => s.value)).toEqual([420, 1.5]);
    expect(samples.scalingMetricUnavailable.map((s) => s.value)).toEqual([0, 0, 1]);
  });

  it('labels every sample with exactly the label names its gauge declares', () => {
    const samples = platformSamples(
      withStatus({
        phase: 'Progressing',
        conditions: [condition('Ready', 'False')],
        components: { kyc: { desired: 1 } },
        release: { phase: 'Aborted', phaseStartedAt: '2026-12-01T10:00:00Z', failureReason: 'ProgressDeadlineExceeded' },
        scaling: {
          kyc: {
            mode: 'Autoscaled',
            fallback: false,
            minReplicas: 1,
            metrics: [{ name: 'm', value: '1', target: '5 per pod', replicas: 1 }],
          },
        },
      }),
    );
    for (const [key, gauge] of Object.entries(PLATFORM_GAUGES)) {
      const list = samples[key as keyof typeof PLATFORM_GAUGES];
      expect({ key, empty: list.length === 0 }).toEqual({ key, empty: false });
      for (const sample of list) expect(Object.keys(sample.labels).sort()).toEqual([...gauge.labelNames].sort());
    }
  });
});
