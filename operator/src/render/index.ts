// renderPlatform: every object one KycPlatform needs, fully specified and in a stable order (the kinds of
// OWNED_KINDS, then the components in COMPONENTS order). Pure: same platform in, same objects out.
import { desiredComponentNames } from '../api/defaults.js';
import type { KycPlatform } from '../api/types.js';
import { renderBackupCronJob, renderBackupNetworkPolicy } from './backup.js';
import { renderConfigMap } from './configmap.js';
import { renderDeployment } from './deployment.js';
import { renderHorizontalPodAutoscaler } from './hpa.js';
import { renderPodMonitors } from './podmonitor.js';
import { renderKafkaTriggerAuthentication, renderScaledObject, usesKeda } from './scaledobject.js';
import { renderIngress } from './ingress.js';
import { renderNetworkPolicies } from './networkpolicy.js';
import { renderPodDisruptionBudget } from './pdb.js';
import { renderHeadlessService, renderService } from './service.js';
import { renderServiceAccount } from './serviceaccount.js';
import type { KubeObject } from './types.js';

export type { KubeObject, OwnerReference, OwnedKind } from './types.js';
export { OWNED_KINDS } from './types.js';
export { desiredComponentNames } from '../api/defaults.js';
export { componentObjectName, configMapName, labels, selectorLabels, MANAGED_BY, CONFIG_HASH_ANNOTATION } from './meta.js';

/** Inputs that depend on the clock, decided by the caller: the schedule floor of each component's HPA. */
export interface RenderOptions {
  minReplicasFloor?: Partial<Record<string, number>>;
  /**
   * Namespace the operator runs in: the NetworkPolicies let its pods reach every component (release
   * smoke checks against the preview Services, /metrics scrapes for autoscaling).
   */
  operatorNamespace?: string;
}

export function renderPlatform(platform: KycPlatform, options: RenderOptions = {}): KubeObject[] {
  const components = desiredComponentNames(platform.spec);
  const defined = <T>(value: T | undefined): value is T => value !== undefined;
  return [
    ...components.map((c) => renderServiceAccount(platform, c)),
    renderConfigMap(platform),
    ...components.map((c) => renderService(platform, c)),
    // The gateway finds the pods of each upstream through these (docs/workloads.md, "Load balancing").
    ...components.filter((c) => c !== 'gateway').map((c) => renderHeadlessService(platform, c)),
    ...components.map((c) => renderDeployment(platform, c)),
    ...components.map((c) => renderPodDisruptionBudget(platform, c)),
    // provider keda: KEDA's ScaledObject instead of the operator's own HPA (docs/autoscaling.md).
    ...components
      .map((c) =>
        usesKeda(platform.spec)
          ? renderScaledObject(platform, c)
          : renderHorizontalPodAutoscaler(platform, c, options.minReplicasFloor?.[c]),
      )
      .filter(defined),
    // provider keda with a Kafka behind TLS or SCRAM: how KEDA's kafka triggers sign in.
    renderKafkaTriggerAuthentication(platform, components),
    ...renderNetworkPolicies(platform, options.operatorNamespace),
    renderBackupNetworkPolicy(platform),
    renderIngress(platform),
    renderBackupCronJob(platform),
    // spec.observability.podMonitor: written only where the Prometheus Operator's CRD is (reconcile/pod-monitors.ts).
    ...renderPodMonitors(platform),
  ].filter(defined);
}
