// Applying a platform's KEDA ScaledObjects (spec.autoscaling.provider: keda; render/scaledobject.ts).
// KEDA may not be installed: the ScaledObject kind exists only with its CRD, so the operator looks for
// the CRD (at most once a minute) before it writes any, keeps no informer on a kind that may not exist,
// and lists a platform's ScaledObjects at each pass instead (to delete the ones no longer wanted, e.g.
// after a switch back to builtin). docs/autoscaling.md, "Living beside KEDA and prometheus-adapter".
import { SCALED_OBJECT } from '../render/scaledobject.js';
import type { Applier } from '../runtime/apply.js';
import { isConflict, isNotFound, type KubeClient, type KubeResource, type ResourceType } from '../runtime/kube.js';
import { INSTANCE_LABEL, isOwnedBy, OWNED_SELECTOR } from './resources.js';

export const SCALED_OBJECT_TYPE: ResourceType = { ...SCALED_OBJECT, namespaced: true };
const CRD: ResourceType = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  plural: 'customresourcedefinitions',
  namespaced: false,
};
export const SCALED_OBJECT_CRD = 'scaledobjects.keda.sh';
const CRD_CHECK_MS = 60_000;

export interface KedaSyncResult {
  /** False when a platform wants ScaledObjects and KEDA's CRD is not in the cluster: nothing written. */
  installed: boolean;
  created: string[];
  updated: string[];
  deleted: string[];
}

export class KedaScaledObjects {
  private known: { installed: boolean; at: number } | undefined;

  constructor(
    private readonly client: KubeClient,
    private readonly applier: Applier,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Is KEDA's ScaledObject CRD installed? Read at most once a minute. */
  async installed(): Promise<boolean> {
    if (this.known && this.clock() - this.known.at < CRD_CHECK_MS) return this.known.installed;
    const crd = await this.client.get(CRD, '', SCALED_OBJECT_CRD).catch((error: unknown) => {
      throw new Error(`read CustomResourceDefinition ${SCALED_OBJECT_CRD}`, { cause: error });
    });
    this.known = { installed: crd !== undefined, at: this.clock() };
    return this.known.installed;
  }

  /** Applies the wanted ScaledObjects and deletes the platform's others (when KEDA is installed). */
  async sync(platform: KubeResource, wanted: readonly KubeResource[]): Promise<KedaSyncResult> {
    const result: KedaSyncResult = { installed: true, created: [], updated: [], deleted: [] };
    // A builtin platform is not held up by a failed look (RBAC, the API server): it has nothing here.
    const installed = await this.installed().catch((error: unknown) => {
      if (wanted.length > 0) throw error;
      return false;
    });
    if (!installed) return { ...result, installed: wanted.length === 0 };
    const { name, namespace = '', uid = '' } = platform.metadata;
    const live = await this.client.list<KubeResource>(SCALED_OBJECT_TYPE, namespace, {
      labelSelector: `${OWNED_SELECTOR},${INSTANCE_LABEL}=${name}`,
    });
    const byName = new Map(live.items.map((o) => [o.metadata.name, o]));
    for (const object of wanted) {
      const { action } = await this.applier.ensure(SCALED_OBJECT_TYPE, object, byName.get(object.metadata.name));
      if (action === 'created') result.created.push(`ScaledObject ${object.metadata.name}`);
      else if (action !== 'unchanged') result.updated.push(`ScaledObject ${object.metadata.name}`);
    }
    const names = new Set(wanted.map((o) => o.metadata.name));
    for (const stale of live.items.filter((o) => !names.has(o.metadata.name) && isOwnedBy(o, name, uid))) {
      try {
        await this.client.delete(SCALED_OBJECT_TYPE, namespace, stale.metadata.name, stale.metadata.uid);
      } catch (error) {
        if (isConflict(error) || isNotFound(error)) continue;
        throw new Error(`delete ScaledObject ${stale.metadata.name}`, { cause: error });
      }
      this.applier.forget(stale);
      result.deleted.push(`ScaledObject ${stale.metadata.name}`);
    }
    return result;
  }
}
