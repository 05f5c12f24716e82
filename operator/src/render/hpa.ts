// autoscaling/v2 HorizontalPodAutoscaler for an autoscaled component (the seed's CPU 70 % / memory 80 %,
// 3-20 replicas, 5-minute scale-down stabilisation by default). Returns undefined when the component
// has a fixed replica count.
import type { ComponentName } from '../api/components.js';
import { autoscalingFor } from '../api/defaults.js';
import type { KycPlatform } from '../api/types.js';
import { componentObjectName, objectMeta } from './meta.js';
import type { KubeObject } from './types.js';

export function renderHorizontalPodAutoscaler(platform: KycPlatform, component: ComponentName): KubeObject | undefined {
  const scaling = autoscalingFor(platform.spec, component);
  if (!scaling.enabled) return undefined;
  const name = componentObjectName(platform, component);
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: objectMeta(platform, name, component),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name },
      minReplicas: scaling.minReplicas,
      maxReplicas: scaling.maxReplicas,
      metrics: [
        { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: scaling.targetCPUUtilizationPercentage } } },
        {
          type: 'Resource',
          resource: { name: 'memory', target: { type: 'Utilization', averageUtilization: scaling.targetMemoryUtilizationPercentage } },
        },
      ],
      behavior: { scaleDown: { stabilizationWindowSeconds: scaling.scaleDownStabilizationSeconds } },
    },
  };
}
