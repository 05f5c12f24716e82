// Handing Deployment.spec.replicas over to the HorizontalPodAutoscaler without a replica drop.
//
// With server-side apply, a field that the operator stops sending is removed when the operator was its
// only owner. When a component goes from a fixed count to autoscaled (or autoscaling is switched on),
// the rendered Deployment no longer carries spec.replicas; applied as is, the API server would drop the
// field and default it to 1 replica, until the HPA notices and scales back up: a drop for customers.
//
// The hand-over, as Kubernetes documents for moving a field to another owner: right before the first
// apply without the field, a second field manager (HANDOVER_FIELD_MANAGER) applies spec.replicas alone
// with the live count (clamped into the HPA's bounds, which the HPA would enforce anyway). The field
// then has an owner besides the operator, so the operator's apply without it only gives up its own
// claim and the value stays. The HPA controller writes the field through the scale subresource when it
// wants another count and so becomes its owner; the hand-over manager never writes again.
// Going back to a fixed count needs nothing special: the operator's forced apply takes the field again.
import type { KubeResource } from '../runtime/kube.js';
import type { ManagedFieldsEntry } from '../runtime/slim.js';

export const HANDOVER_FIELD_MANAGER = 'kyc-operator-replicas-handover';

type DeploymentLike = KubeResource & { spec?: { replicas?: number } };
type HpaLike = KubeResource & {
  spec?: {
    scaleTargetRef?: { kind?: string; name?: string };
    minReplicas?: number;
    maxReplicas?: number;
    // A KEDA ScaledObject's bounds (provider keda: KEDA's HPA takes spec.replicas over the same way).
    minReplicaCount?: number;
    maxReplicaCount?: number;
  };
};

/** True when `manager` owns spec.replicas of `object` through an Apply. */
export function appliesReplicas(object: KubeResource, manager: string): boolean {
  const entries = (object.metadata.managedFields ?? []) as ManagedFieldsEntry[];
  return entries.some((e) => e.manager === manager && e.operation === 'Apply' && e.fieldsV1?.['f:spec']?.['f:replicas'] !== undefined);
}

/**
 * The replica count to hand over before applying `desired`, or undefined when no hand-over is needed:
 * only when the rendered Deployment leaves spec.replicas out, the live one has it, and `fieldManager`
 * (the operator) still owns it by apply.
 */
export function replicasToHandOver(
  desired: KubeResource,
  live: KubeResource | undefined,
  allDesired: readonly KubeResource[],
  fieldManager: string,
): number | undefined {
  if (desired.kind !== 'Deployment' || !live || live.metadata.deletionTimestamp) return undefined;
  if ((desired as DeploymentLike).spec?.replicas !== undefined) return undefined;
  const current = (live as DeploymentLike).spec?.replicas;
  if (typeof current !== 'number' || !appliesReplicas(live, fieldManager)) return undefined;
  const hpa = allDesired.find(
    (o): o is HpaLike =>
      (o.kind === 'HorizontalPodAutoscaler' || o.kind === 'ScaledObject') &&
      (o as HpaLike).spec?.scaleTargetRef?.kind === 'Deployment' &&
      (o as HpaLike).spec?.scaleTargetRef?.name === desired.metadata.name,
  );
  const min = hpa?.spec?.minReplicas ?? hpa?.spec?.minReplicaCount ?? 1;
  const max = hpa?.spec?.maxReplicas ?? hpa?.spec?.maxReplicaCount ?? Number.MAX_SAFE_INTEGER;
  return Math.min(Math.max(current, min), max);
}

/** The apply body that gives spec.replicas to the hand-over manager. */
export function handoverPatch(desired: KubeResource, replicas: number): KubeResource {
  return {
    apiVersion: desired.apiVersion,
    kind: desired.kind,
    metadata: { name: desired.metadata.name, namespace: desired.metadata.namespace },
    spec: { replicas },
  };
}
