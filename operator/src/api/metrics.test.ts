import { describe, expect, it } from '@jest/globals';
import { platform } from './fixtures.js';
import { componentMetrics, toQuantity } from './metrics.js';
import { lagMetric as lag, latencyMetric as latency } from './testing/metrics.js';

describe('componentMetrics', () => {
  it("takes each component's default consumer group and topics", () => {
    const p = platform({ autoscaling: { metrics: { queueLag: { targetLagPerReplica: 100 } } } });
    expect(componentMetrics(p, 'kyc')).toEqual([{ ...lag, group: 'kyc-automatic-checks', topics: ['kyc.events'] }]);
    expect(componentMetrics(p, 'analytics')).toEqual([{ ...lag, group: 'kyc-analytics', topics: undefined }]);
    expect(componentMetrics(p, 'gateway')).toEqual([]);
  });
  it("takes a component's own metrics instead of the platform's, whatever the platform's components lists say", () => {
    const p = platform({
      autoscaling: {
        metrics: {
          requestRate: { targetPerReplica: 30 },
          latency: { targetMilliseconds: 250, components: ['kyc'] },
          queueLag: { targetLagPerReplica: 100 },
        },
      },
      components: {
        gateway: {
          autoscaling: {
            metrics: { requestRate: { targetPerReplica: 100 }, queueLag: { targetLagPerReplica: 50, consumerGroup: 'edge' } },
          },
        },
        notification: { autoscaling: { metrics: { latency: { targetMilliseconds: 400 } } } },
      },
    });
    expect(componentMetrics(p, 'gateway')).toEqual([
      { ...lag, target: 50, group: 'edge', topics: undefined },
      { kind: 'requestRate', name: 'http-requests-per-second', targetType: 'AverageValue', target: 100 },
    ]);
    // The platform's queueLag and requestRate no longer apply to notification; its own latency does.
    expect(componentMetrics(p, 'notification')).toEqual([{ ...latency, target: 400 }]);
    expect(componentMetrics(p, 'kyc').map((m) => [m.name, m.target])).toEqual([
      ['kafka-consumer-lag', 100],
      ['http-requests-per-second', 30],
      ['http-request-latency-ms', 250],
    ]);
  });
  it("drops the platform's metrics for a component whose own metrics are {}", () => {
    const p = platform({
      autoscaling: { metrics: { requestRate: { targetPerReplica: 30 } } },
      components: { auth: { autoscaling: { metrics: {} } } },
    });
    expect(componentMetrics(p, 'auth')).toEqual([]);
    expect(componentMetrics(p, 'gateway')).toHaveLength(1);
  });
  it("measures a component's own queueLag on its default group, and skips it where there is none", () => {
    const p = platform({
      components: {
        analytics: { autoscaling: { metrics: { queueLag: { targetLagPerReplica: 100 } } } },
        auth: { autoscaling: { metrics: { queueLag: { targetLagPerReplica: 100 } } } },
      },
    });
    expect(componentMetrics(p, 'analytics')).toEqual([{ ...lag, group: 'kyc-analytics', topics: undefined }]);
    expect(componentMetrics(p, 'auth')).toEqual([]);
  });
  it('is empty for a component that is not autoscaled', () => {
    const p = platform({ profile: 'development', autoscaling: { metrics: { requestRate: { targetPerReplica: 5 } } } });
    expect(componentMetrics(p, 'gateway')).toEqual([]);
  });
});

describe('toQuantity', () => {
  it('writes fractions as milli-quantities', () => {
    expect(toQuantity(12)).toBe('12');
    expect(toQuantity(12.5)).toBe('12500m');
  });
});
