// Reads what the scaling status needs from the objects of one reconcile pass (pure): each
// component's HPA as it lives in the cluster and the replica count of the Deployment it scales.
import type { ComponentName } from '../api/components.js';
import type { Condition } from '../api/types.js';
import { setCondition } from '../api/conditions.js';
import type { KubeResource } from '../runtime/kube.js';
import type { ObservedScaling } from './controller.js';
import type { HpaView, ScalingStatus } from './status.js';

const COMPONENT_LABEL = 'app.kubernetes.io/component';

export function observeScaling(
  desired: readonly KubeResource[],
  liveOf: (object: KubeResource) => KubeResource | undefined,
): ObservedScaling {
  const observed: ObservedScaling = { deploymentReplicas: {}, hpas: {} };
  const deployments = new Map<string, KubeResource>();
  for (const object of desired) if (object.kind === 'Deployment') deployments.set(object.metadata.name, object);
  for (const object of desired) {
    if (object.kind !== 'HorizontalPodAutoscaler') continue;
    const component = object.metadata.labels?.[COMPONENT_LABEL] as ComponentName | undefined;
    if (!component) continue;
    const hpa: HpaView | undefined = liveOf(object) as HpaView | undefined;
    observed.hpas[component] = hpa;
    const target = (object.spec as { scaleTargetRef?: { name?: string } } | undefined)?.scaleTargetRef?.name;
    const deployment = target ? deployments.get(target) : undefined;
    const live = deployment ? (liveOf(deployment)?.spec as { replicas?: number } | undefined) : undefined;
    const replicas = hpa?.status?.currentReplicas ?? live?.replicas;
    if (replicas !== undefined) observed.deploymentReplicas[component] = replicas;
  }
  return observed;
}

/** Puts the scaling status and its two conditions into a status object about to be written. */
export function withScalingStatus<S extends { conditions?: Condition[]; scaling?: unknown }>(
  status: S,
  scaling: ScalingStatus,
  previous: readonly Condition[] | undefined,
  now: Date,
): S {
  const conditions = (status.conditions ?? []).filter((c) => c.type !== scaling.active.type && c.type !== scaling.degraded.type);
  conditions.push(setCondition(previous, scaling.active, now), setCondition(previous, scaling.degraded, now));
  return { ...status, conditions, scaling: scaling.scaling };
}
