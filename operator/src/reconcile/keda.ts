// Applying a platform's KEDA ScaledObjects (spec.autoscaling.provider: keda; render/scaledobject.ts).
// KEDA may not be installed: the ScaledObject kind exists only with its CRD (optional-kind.ts).
// docs/autoscaling.md, "Living beside KEDA and prometheus-adapter".
import { SCALED_OBJECT } from '../render/scaledobject.js';
import type { Applier } from '../runtime/apply.js';
import type { KubeClient, ResourceType } from '../runtime/kube.js';
import { OptionalKindObjects, type OptionalKindSyncResult } from './optional-kind.js';

export const SCALED_OBJECT_TYPE: ResourceType = { ...SCALED_OBJECT, namespaced: true };
export const SCALED_OBJECT_CRD = 'scaledobjects.keda.sh';

export type KedaSyncResult = OptionalKindSyncResult;

export class KedaScaledObjects extends OptionalKindObjects {
  constructor(client: KubeClient, applier: Applier, clock: () => number = Date.now) {
    super(client, applier, { type: SCALED_OBJECT_TYPE, crd: SCALED_OBJECT_CRD }, clock);
  }
}
