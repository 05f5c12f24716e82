// The HPA scale-up behaviour of a component (pure): the component's scaleUp, else the platform's;
// undefined leaves the HPA's own defaults in force.
import type { ComponentName } from '../api/components.js';
import type { KycPlatformSpec } from '../api/types.js';

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
