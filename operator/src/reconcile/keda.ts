// Applying a platform's KEDA objects (spec.autoscaling.provider: keda; render/scaledobject.ts): its
// ScaledObjects, and the TriggerAuthentication their kafka triggers sign in with when its Kafka needs TLS
// or SCRAM. KEDA may not be installed: the kinds exist only with its CRDs (optional-kind.ts).
// docs/autoscaling.md, "Living beside KEDA and prometheus-adapter".
import { SCALED_OBJECT, TRIGGER_AUTHENTICATION } from '../render/scaledobject.js';
import type { Applier } from '../runtime/apply.js';
import type { KubeClient, KubeResource, ResourceType } from '../runtime/kube.js';
import { OptionalKindObjects, type OptionalKindSyncResult } from './optional-kind.js';

export const SCALED_OBJECT_TYPE: ResourceType = { ...SCALED_OBJECT, namespaced: true };
export const SCALED_OBJECT_CRD = 'scaledobjects.keda.sh';
export const TRIGGER_AUTHENTICATION_TYPE: ResourceType = { ...TRIGGER_AUTHENTICATION, namespaced: true };
export const TRIGGER_AUTHENTICATION_CRD = 'triggerauthentications.keda.sh';

export type KedaSyncResult = OptionalKindSyncResult;

/** Is this rendered object one of KEDA's kinds (written here, not by the platform's own apply)? */
export function isKedaObject(object: KubeResource): boolean {
  return object.kind === SCALED_OBJECT.kind || object.kind === TRIGGER_AUTHENTICATION.kind;
}

export class KedaObjects {
  private readonly scaledObjects: OptionalKindObjects;
  private readonly triggerAuthentications: OptionalKindObjects;

  constructor(client: KubeClient, applier: Applier, clock: () => number = Date.now) {
    this.scaledObjects = new OptionalKindObjects(client, applier, { type: SCALED_OBJECT_TYPE, crd: SCALED_OBJECT_CRD }, clock);
    this.triggerAuthentications = new OptionalKindObjects(
      client,
      applier,
      { type: TRIGGER_AUTHENTICATION_TYPE, crd: TRIGGER_AUTHENTICATION_CRD },
      clock,
    );
  }

  /** A deleted platform: nothing kept of it. */
  forget(namespace: string, name: string): void {
    this.scaledObjects.forget(namespace, name);
    this.triggerAuthentications.forget(namespace, name);
  }

  /** Is KEDA's ScaledObject CRD installed? Read at most once a minute. */
  async installed(): Promise<boolean> {
    return this.scaledObjects.installed();
  }

  /**
   * Applies the wanted KEDA objects and deletes the platform's others. A wanted TriggerAuthentication
   * goes first, so that a new ScaledObject finds what its triggers name; one no longer wanted goes
   * last, after the ScaledObjects that named it. KEDA counts as installed only when every wanted
   * kind's CRD is.
   */
  async sync(platform: KubeResource, wanted: readonly KubeResource[]): Promise<KedaSyncResult> {
    const wantedAuth = wanted.filter((o) => o.kind === TRIGGER_AUTHENTICATION.kind);
    const syncAuth = (): Promise<KedaSyncResult> => this.triggerAuthentications.sync(platform, wantedAuth);
    const syncScaled = (): Promise<KedaSyncResult> =>
      this.scaledObjects.sync(
        platform,
        wanted.filter((o) => o.kind === SCALED_OBJECT.kind),
      );
    let auth: KedaSyncResult;
    let scaled: KedaSyncResult;
    if (wantedAuth.length > 0) {
      auth = await syncAuth();
      scaled = await syncScaled();
    } else {
      scaled = await syncScaled();
      auth = await syncAuth();
    }
    return {
      installed: auth.installed && scaled.installed,
      created: [...auth.created, ...scaled.created],
      updated: [...auth.updated, ...scaled.updated],
      deleted: [...scaled.deleted, ...auth.deleted],
    };
  }
}
