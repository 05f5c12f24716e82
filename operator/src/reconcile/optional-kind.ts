// Objects of a kind that exists only where another project's CRD is installed: KEDA's ScaledObjects
// (keda.ts) and the Prometheus Operator's PodMonitors (render/podmonitor.ts). The operator looks for the
// CRD (at most once a minute, so installing it later is noticed) before it writes any, keeps no informer
// on a kind that may not exist, and lists a platform's objects of the kind at its passes instead (to
// delete the ones no longer wanted). A platform that wants none and had none is listed again only after
// NONE_RECHECK_MS: at 200 platforms, two such lists a pass were a third of the operator's reads.
// docs/autoscaling.md, "Living beside KEDA and prometheus-adapter"; docs/observability.md.
import type { Applier } from '../runtime/apply.js';
import { isConflict, isNotFound, type KubeClient, type KubeResource, type ResourceType } from '../runtime/kube.js';
import { INSTANCE_LABEL, isOwnedBy, OWNED_SELECTOR } from './resources.js';

/** CustomResourceDefinitions: the one resource the operator reads to know whether a kind exists. */
export const CRD: ResourceType = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  plural: 'customresourcedefinitions',
  namespaced: false,
};
const CRD_CHECK_MS = 60_000;
/**
 * How long a list that found none of a platform's objects stands while the platform still wants none. The
 * operator writes objects of the kind only for a platform that wants them, so within its own lifetime
 * nothing new can appear; this bounds how long one written by hand with the platform's labels stays.
 */
export const NONE_RECHECK_MS = 10 * 60_000;

export interface OptionalKindSyncResult {
  /** False when a platform wants objects of the kind and its CRD is not in the cluster: nothing written. */
  installed: boolean;
  created: string[];
  updated: string[];
  deleted: string[];
}

export class OptionalKindObjects {
  private known: { installed: boolean; at: number } | undefined;
  /** Platforms (namespace/name) that wanted none and had none: their uid, and when that was found. */
  private readonly none = new Map<string, { uid: string; at: number }>();

  constructor(
    private readonly client: KubeClient,
    private readonly applier: Applier,
    /** The kind, and the name of the CustomResourceDefinition that brings it. */
    private readonly kind: { type: ResourceType; crd: string },
    private readonly clock: () => number = Date.now,
  ) {}

  /** Is the kind's CRD installed? Read at most once a minute. */
  async installed(): Promise<boolean> {
    if (this.known && this.clock() - this.known.at < CRD_CHECK_MS) return this.known.installed;
    const crd = await this.client.get(CRD, '', this.kind.crd).catch((error: unknown) => {
      throw new Error(`read CustomResourceDefinition ${this.kind.crd}`, { cause: error });
    });
    this.known = { installed: crd !== undefined, at: this.clock() };
    return this.known.installed;
  }

  /** Applies the wanted objects and deletes the platform's others (when the CRD is installed). */
  async sync(platform: KubeResource, wanted: readonly KubeResource[]): Promise<OptionalKindSyncResult> {
    const { type } = this.kind;
    const result: OptionalKindSyncResult = { installed: true, created: [], updated: [], deleted: [] };
    // A platform that wants none is not held up by a failed look (RBAC, the API server): it has nothing here.
    const installed = await this.installed().catch((error: unknown) => {
      if (wanted.length > 0) throw error;
      return false;
    });
    if (!installed) return { ...result, installed: wanted.length === 0 };
    const { name, namespace = '', uid = '' } = platform.metadata;
    const key = `${namespace}/${name}`;
    const none = this.none.get(key);
    if (wanted.length === 0 && none?.uid === uid && this.clock() - none.at < NONE_RECHECK_MS) return result;
    this.none.delete(key);
    const listedAt = this.clock();
    const live = await this.client.list<KubeResource>(type, namespace, {
      labelSelector: `${OWNED_SELECTOR},${INSTANCE_LABEL}=${name}`,
    });
    const byName = new Map(live.items.map((o) => [o.metadata.name, o]));
    for (const object of wanted) {
      const { action } = await this.applier.ensure(type, object, byName.get(object.metadata.name));
      if (action === 'created') result.created.push(`${type.kind} ${object.metadata.name}`);
      else if (action !== 'unchanged') result.updated.push(`${type.kind} ${object.metadata.name}`);
    }
    const names = new Set(wanted.map((o) => o.metadata.name));
    for (const stale of live.items.filter((o) => !names.has(o.metadata.name) && isOwnedBy(o, name, uid))) {
      try {
        await this.client.delete(type, namespace, stale.metadata.name, stale.metadata.uid);
      } catch (error) {
        if (isConflict(error) || isNotFound(error)) continue;
        throw new Error(`delete ${type.kind} ${stale.metadata.name}`, { cause: error });
      }
      this.applier.forget(stale);
      result.deleted.push(`${type.kind} ${stale.metadata.name}`);
    }
    // Every one of the platform's was deleted (or there were none): none left that this operator knows of.
    if (wanted.length === 0) this.none.set(key, { uid, at: listedAt });
    return result;
  }

  /** A deleted platform: nothing kept of it. */
  forget(namespace: string, name: string): void {
    this.none.delete(`${namespace}/${name}`);
  }
}
