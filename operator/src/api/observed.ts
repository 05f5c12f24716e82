// What the operator's status means for an observed Deployment (pure): the counts of
// status.components.<name> and when a component is ready. The platform status (reconcile/status.ts) and
// the blue-green release (release/) both decide from these; the reconciler reads the live objects.
import type { ComponentStatus } from './types.js';

/** The fields of an apps/v1 Deployment these helpers read. */
export interface DeploymentLike {
  metadata?: { generation?: number };
  spec?: { replicas?: number };
  status?: {
    observedGeneration?: number;
    replicas?: number;
    readyReplicas?: number;
    updatedReplicas?: number;
    availableReplicas?: number;
    unavailableReplicas?: number;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
  };
}

export function componentStatus(deployment: DeploymentLike): Required<ComponentStatus> {
  const status = deployment.status ?? {};
  return {
    // The API server defaults spec.replicas to 1; the HPA writes it when it owns the count.
    desired: deployment.spec?.replicas ?? 1,
    ready: status.readyReplicas ?? 0,
    updated: status.updatedReplicas ?? 0,
    available: status.availableReplicas ?? 0,
  };
}

/**
 * A component is ready when its Deployment controller has seen the latest spec and every desired replica
 * runs the current template and is available, with no old replica left over.
 */
export function componentReady(deployment: DeploymentLike): boolean {
  const counts = componentStatus(deployment);
  const generation = deployment.metadata?.generation;
  const observed = deployment.status?.observedGeneration;
  if (generation !== undefined && (observed === undefined || observed < generation)) return false;
  const total = deployment.status?.replicas ?? 0;
  return counts.updated >= counts.desired && counts.available >= counts.desired && total <= counts.desired;
}
