// autoscaling/v2 HorizontalPodAutoscaler for an autoscaled component (by default CPU 70 % / memory 80 %,
// 3-20 replicas, 5-minute scale-down stabilisation: docs/autoscaling.md), plus the component's custom
// metrics as External metrics served by the operator (operator/src/scaling, operator/src/metrics-api).
// Returns undefined when the component has a fixed replica count.
import type { ComponentName } from '../api/components.js';
import { autoscalingFor } from '../api/defaults.js';
import { COMPONENT_LABEL, componentMetrics, PLATFORM_LABEL, toQuantity } from '../api/metrics.js';
import type { KycPlatform, KycPlatformSpec } from '../api/types.js';
import { componentObjectName, unversionedObjectMeta } from './meta.js';
import type { KubeObject } from './types.js';

/**
 * `minReplicasFloor`: the replica floor of the business-hours schedules open right now (the caller
 * evaluates them against its clock; rendering stays a pure function of its arguments).
 */
export function renderHorizontalPodAutoscaler(
  platform: KycPlatform,
  component: ComponentName,
  minReplicasFloor?: number,
): KubeObject | undefined {
  const scaling = autoscalingFor(platform.spec, component);
  if (!scaling.enabled) return undefined;
  const name = componentObjectName(platform, component);
  const external = externalMetricSpecs(platform, component);
  const resourceMetrics = platform.spec.autoscaling?.resourceMetrics !== false || external.length === 0;
  const scaleUp = scaleUpBehavior(platform.spec, component);
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: unversionedObjectMeta(platform, name, component),
    spec: {
      // The Deployment the HPA scales.
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      minReplicas: Math.min(scaling.maxReplicas, Math.max(scaling.minReplicas, minReplicasFloor ?? 0)),
      maxReplicas: scaling.maxReplicas,
      metrics: [
        ...(resourceMetrics
          ? [
              {
                type: 'Resource',
                resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: scaling.targetCPUUtilizationPercentage } },
              },
              {
                type: 'Resource',
                resource: {
                  name: 'memory',
                  target: { type: 'Utilization', averageUtilization: scaling.targetMemoryUtilizationPercentage },
                },
              },
            ]
          : []),
        ...external,
      ],
      behavior: { scaleDown: { stabilizationWindowSeconds: scaling.scaleDownStabilizationSeconds }, ...(scaleUp ? { scaleUp } : {}) },
    },
  };
}

/** The autoscaling/v2 External metric entries of a component's HPA. */
export function externalMetricSpecs(platform: KycPlatform, component: ComponentName): Record<string, unknown>[] {
  return componentMetrics(platform, component).map((metric) => ({
    type: 'External',
    external: {
      metric: {
        name: metric.name,
        selector: { matchLabels: { [PLATFORM_LABEL]: platform.metadata.name, [COMPONENT_LABEL]: component } },
      },
      target:
        metric.targetType === 'AverageValue'
          ? { type: 'AverageValue', averageValue: toQuantity(metric.target) }
          : { type: 'Value', value: toQuantity(metric.target) },
    },
  }));
}

/** The HPA scale-up behaviour: the component's scaleUp, else the platform's; undefined leaves the HPA's own defaults in force. */
export function scaleUpBehavior(spec: KycPlatformSpec, component: ComponentName): Record<string, unknown> | undefined {
  const policy = spec.components?.[component]?.autoscaling?.scaleUp ?? spec.autoscaling?.scaleUp;
  if (!policy) return undefined;
  const policies = [
    ...(policy.maxPercentPerMinute !== undefined ? [{ type: 'Percent', value: policy.maxPercentPerMinute, periodSeconds: 60 }] : []),
    ...(policy.maxPodsPerMinute !== undefined ? [{ type: 'Pods', value: policy.maxPodsPerMinute, periodSeconds: 60 }] : []),
  ];
  return {
    stabilizationWindowSeconds: policy.stabilizationSeconds ?? 0,
    ...(policies.length > 0 ? { selectPolicy: 'Max', policies } : {}),
  };
}
