// Pure helpers that turn observed Deployments into the status the operator reports
// (status.components.<name>, status.readyComponents). The runtime reads the objects, these decide.
import type { ComponentName } from '../api/components.js';
import { desiredComponentNames } from '../api/defaults.js';
import type { ComponentStatus, KycPlatformSpec } from '../api/types.js';

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

/** True when the Deployment reports it cannot make progress (ProgressDeadlineExceeded). */
export function componentStalled(deployment: DeploymentLike): boolean {
  return (deployment.status?.conditions ?? []).some(
    (c) => c.type === 'Progressing' && c.status === 'False' && c.reason === 'ProgressDeadlineExceeded',
  );
}

export interface ComponentsSummary {
  components: Partial<Record<ComponentName, Required<ComponentStatus>>>;
  /** e.g. `5/5`: ready components over enabled components. */
  readyComponents: string;
  ready: ComponentName[];
  notReady: ComponentName[];
  /** Enabled components whose Deployment was not observed (not created yet, or deleted). */
  missing: ComponentName[];
}

export function summarizeComponents(
  spec: KycPlatformSpec,
  deployments: Partial<Record<ComponentName, DeploymentLike>>,
): ComponentsSummary {
  const wanted = desiredComponentNames(spec);
  const components: ComponentsSummary['components'] = {};
  const ready: ComponentName[] = [];
  const notReady: ComponentName[] = [];
  const missing: ComponentName[] = [];
  for (const name of wanted) {
    const deployment = deployments[name];
    if (!deployment) {
      missing.push(name);
      notReady.push(name);
      continue;
    }
    components[name] = componentStatus(deployment);
    (componentReady(deployment) ? ready : notReady).push(name);
  }
  return { components, readyComponents: `${ready.length}/${wanted.length}`, ready, notReady, missing };
}
