// Applying a platform's PodMonitors (spec.observability.podMonitor; render/podmonitor.ts) where the
// Prometheus Operator's CRD is installed (optional-kind.ts); docs/observability.md.
import { POD_MONITOR, POD_MONITOR_CRD } from '../render/podmonitor.js';
import type { Applier } from '../runtime/apply.js';
import type { KubeClient, ResourceType } from '../runtime/kube.js';
import { OptionalKindObjects } from './optional-kind.js';

export const POD_MONITOR_TYPE: ResourceType = { ...POD_MONITOR, namespaced: true };

export class PodMonitors extends OptionalKindObjects {
  constructor(client: KubeClient, applier: Applier, clock: () => number = Date.now) {
    super(client, applier, { type: POD_MONITOR_TYPE, crd: POD_MONITOR_CRD }, clock);
  }
}
