import { describe, expect, it } from '@jest/globals';
import type { ComponentName } from '../api/components.js';
import { platform } from '../api/fixtures.js';
import { renderHorizontalPodAutoscaler } from './hpa.js';
import type { KubeObject } from './types.js';

type MetricSpec = { type: string; external?: { metric: { name: string }; target: unknown } };
const metricsOf = (hpa: KubeObject | undefined): MetricSpec[] => (hpa?.spec as { metrics: MetricSpec[] } | undefined)?.metrics ?? [];

describe('renderHorizontalPodAutoscaler', () => {
  it('targets the Deployment with the documented defaults: 3-20 replicas, CPU 70 %, memory 80 % of requests, a 300 s scale-down window', () => {
    const hpa = renderHorizontalPodAutoscaler(platform({ profile: 'production' }), 'kyc');
    expect(hpa?.apiVersion).toBe('autoscaling/v2');
    expect(hpa?.spec).toEqual({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'acme-kyc' },
      minReplicas: 3,
      maxReplicas: 20,
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } } },
        { type: 'Resource', resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: 80 } } },
      ],
      behavior: { scaleDown: { stabilizationWindowSeconds: 300 } },
    });
  });

  it('uses per-component overrides', () => {
    const hpa = renderHorizontalPodAutoscaler(
      platform({
        autoscaling: { maxReplicas: 10 },
        components: { kyc: { autoscaling: { minReplicas: 4, targetCPUUtilizationPercentage: 50 } } },
      }),
      'kyc',
    );
    expect(hpa?.spec).toMatchObject({ minReplicas: 4, maxReplicas: 10 });
    expect(JSON.stringify(hpa?.spec)).toContain('"averageUtilization":50');
  });

  it('is absent when the component is not autoscaled', () => {
    expect(renderHorizontalPodAutoscaler(platform({ profile: 'development' }), 'kyc')).toBeUndefined();
    expect(renderHorizontalPodAutoscaler(platform({ components: { kyc: { autoscaling: { enabled: false } } } }), 'kyc')).toBeUndefined();
  });

  describe('custom metrics and schedules', () => {
    const withMetrics = platform({
      autoscaling: {
        metrics: {
          queueLag: { targetLagPerReplica: 100 },
          requestRate: { targetPerReplica: 50, components: ['gateway'] },
          latency: { targetMilliseconds: 250, percentile: 'p99', components: ['kyc'] },
        },
      },
    });

    it('adds an External metric per custom metric, selected by platform and component labels', () => {
      const metrics = metricsOf(renderHorizontalPodAutoscaler(withMetrics, 'kyc'));
      expect(metrics.slice(2)).toEqual([
        {
          type: 'External',
          external: {
            metric: { name: 'kafka-consumer-lag', selector: { matchLabels: { 'kyc.dev/platform': 'acme', 'kyc.dev/component': 'kyc' } } },
            target: { type: 'AverageValue', averageValue: '100' },
          },
        },
        {
          type: 'External',
          external: {
            metric: {
              name: 'http-request-latency-ms',
              selector: { matchLabels: { 'kyc.dev/platform': 'acme', 'kyc.dev/component': 'kyc' } },
            },
            target: { type: 'Value', value: '250' },
          },
        },
      ]);
      // queueLag applies to the consumers only by default; requestRate to the components listed.
      const gateway = metricsOf(renderHorizontalPodAutoscaler(withMetrics, 'gateway'));
      expect(gateway.filter((m) => m.type === 'External').map((m) => m.external?.metric.name)).toEqual(['http-requests-per-second']);
      expect(metricsOf(renderHorizontalPodAutoscaler(withMetrics, 'auth')).length).toBe(2);
    });

    it("takes a component's own metrics instead of the platform's, and none for {}", () => {
      const p = platform({
        autoscaling: { metrics: { requestRate: { targetPerReplica: 30 } } },
        components: {
          gateway: { autoscaling: { metrics: { requestRate: { targetPerReplica: 100 } } } },
          auth: { autoscaling: { metrics: {} } },
        },
      });
      const targets = (component: ComponentName) =>
        metricsOf(renderHorizontalPodAutoscaler(p, component))
          .filter((m) => m.type === 'External')
          .map((m) => [m.external?.metric.name, m.external?.target]);
      expect(targets('gateway')).toEqual([['http-requests-per-second', { type: 'AverageValue', averageValue: '100' }]]);
      expect(targets('kyc')).toEqual([['http-requests-per-second', { type: 'AverageValue', averageValue: '30' }]]);
      expect(targets('auth')).toEqual([]);
    });

    it('drops CPU and memory with resourceMetrics: false, except for components without custom metrics', () => {
      const p = platform({ autoscaling: { resourceMetrics: false, metrics: { queueLag: { targetLagPerReplica: 10 } } } });
      expect(metricsOf(renderHorizontalPodAutoscaler(p, 'kyc')).map((m) => m.type)).toEqual(['External']);
      expect(metricsOf(renderHorizontalPodAutoscaler(p, 'auth')).map((m) => m.type)).toEqual(['Resource', 'Resource']);
    });

    it('raises minReplicas to the schedule floor, never above maxReplicas', () => {
      const p = platform({ autoscaling: { minReplicas: 3, maxReplicas: 8 } });
      expect(renderHorizontalPodAutoscaler(p, 'kyc', 6)?.spec).toMatchObject({ minReplicas: 6, maxReplicas: 8 });
      expect(renderHorizontalPodAutoscaler(p, 'kyc', 12)?.spec).toMatchObject({ minReplicas: 8 });
      expect(renderHorizontalPodAutoscaler(p, 'kyc', 2)?.spec).toMatchObject({ minReplicas: 3 });
    });

    it('uses the consumer group and topics of the spec', () => {
      const p = platform({
        autoscaling: { metrics: { queueLag: { targetLagPerReplica: 5, consumerGroup: 'g', topics: ['t'], components: ['kyc'] } } },
      });
      expect(JSON.stringify(renderHorizontalPodAutoscaler(p, 'kyc')?.spec)).toContain('"averageValue":"5"');
      expect(JSON.stringify(renderHorizontalPodAutoscaler(p, 'notification')?.spec)).not.toContain('External');
    });
  });

  it('sets the scale-up behaviour from the component, else the platform, and leaves the HPA defaults otherwise', () => {
    const p = platform({
      autoscaling: { scaleUp: { maxPercentPerMinute: 50 } },
      components: { kyc: { autoscaling: { scaleUp: { stabilizationSeconds: 30, maxPercentPerMinute: 100, maxPodsPerMinute: 4 } } } },
    });
    expect((renderHorizontalPodAutoscaler(p, 'kyc')?.spec as { behavior: unknown }).behavior).toEqual({
      scaleDown: { stabilizationWindowSeconds: 300 },
      scaleUp: {
        stabilizationWindowSeconds: 30,
        selectPolicy: 'Max',
        policies: [
          { type: 'Percent', value: 100, periodSeconds: 60 },
          { type: 'Pods', value: 4, periodSeconds: 60 },
        ],
      },
    });
    expect((renderHorizontalPodAutoscaler(p, 'auth')?.spec as { behavior: unknown }).behavior).toEqual({
      scaleDown: { stabilizationWindowSeconds: 300 },
      scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 50, periodSeconds: 60 }] },
    });
    expect((renderHorizontalPodAutoscaler(platform({}), 'auth')?.spec as { behavior: unknown }).behavior).toEqual({
      scaleDown: { stabilizationWindowSeconds: 300 },
    });
  });
});
