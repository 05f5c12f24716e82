// What the informer caches keep of an object: memory at hundreds of platforms is mostly cached objects.
import { hashOf, stableStringify } from './hash.js';
import type { KubeResource, ObjectMeta } from './kube.js';

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  fieldsV1?: { 'f:spec'?: { 'f:replicas'?: unknown } };
}

/**
 * The ownership of spec.replicas, and nothing else, from an object's managedFields (the rest is large
 * and never read; the hand-over of replicas to an HPA needs this part). Undefined when no manager owns
 * spec.replicas.
 */
export function replicasOwnership(managedFields: unknown): ManagedFieldsEntry[] | undefined {
  if (!Array.isArray(managedFields)) return undefined;
  const owners = (managedFields as ManagedFieldsEntry[])
    .filter((e) => e.fieldsV1?.['f:spec']?.['f:replicas'] !== undefined)
    .map((e) => ({ manager: e.manager, operation: e.operation, fieldsV1: { 'f:spec': { 'f:replicas': {} } } }));
  return owners.length > 0 ? owners : undefined;
}

/** Values that differ on every object or every write: recording them would only fill the table. */
const UNIQUE_KEYS = new Set(['uid', 'resourceVersion', 'creationTimestamp', 'deletionTimestamp', 'lastTransitionTime', 'lastUpdateTime']);

/**
 * One copy of each short string value the caches hold. JSON.parse makes a fresh copy of every string
 * of every object, and each platform's objects repeat the same values (images, environment names,
 * label values, probe paths, ports' names): sharing them cuts a cached Deployment's heap by about a
 * quarter (docs/benchmarks.md, "Memory"). The table forgets everything once it holds `maxEntries`
 * strings, so strings of deleted objects do not pile up; objects already cached keep theirs.
 */
export class StringTable {
  private readonly table = new Map<string, string>();

  constructor(
    private readonly maxEntries = 200_000,
    private readonly maxLength = 256,
  ) {}

  get size(): number {
    return this.table.size;
  }

  /** Replaces, in place, every short string value in `value` with the table's copy of it. */
  internAll(value: unknown): void {
    if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return;
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i += 1) {
        const item: unknown = value[i];
        if (typeof item === 'string') value[i] = this.intern(item);
        else this.internAll(item);
      }
      return;
    }
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const item = record[key];
      if (typeof item === 'string') {
        if (!UNIQUE_KEYS.has(key)) record[key] = this.intern(item);
      } else this.internAll(item);
    }
  }

  private intern(value: string): string {
    if (value.length > this.maxLength) return value;
    const known = this.table.get(value);
    if (known !== undefined) return known;
    if (this.table.size >= this.maxEntries) this.table.clear();
    this.table.set(value, value);
    return value;
  }
}

/** Annotations the Deployment controller writes on the objects it manages: not anyone's edit of ours. */
const CONTROLLER_ANNOTATION_PREFIX = 'deployment.kubernetes.io/';

/** The body digests of compacted objects, beside them rather than in them: a copy of one does not carry it. */
const bodyDigests = new WeakMap<object, string>();

/**
 * A digest of everything in an object that someone could edit and that is not its status: the body
 * (spec, data, rules, ...) without spec.replicas (an HPA's to change), the labels, the annotations but
 * the Deployment controller's, and the owner references. Two versions of an object with the same
 * digest differ in nothing the operator writes, except spec.replicas, which compacted objects keep.
 */
export function bodyDigest(object: KubeResource): string {
  const known = bodyDigests.get(object);
  if (known !== undefined) return known;
  const { apiVersion: _apiVersion, kind: _kind, metadata, status: _status, ...body } = object;
  const annotations = Object.entries(metadata.annotations ?? {}).filter(([name]) => !name.startsWith(CONTROLLER_ANNOTATION_PREFIX));
  const spec = body.spec as Record<string, unknown> | undefined;
  if (spec && typeof spec === 'object' && 'replicas' in spec) {
    const { replicas: _replicas, ...rest } = spec;
    body.spec = rest;
  }
  return hashOf({ body, labels: metadata.labels, annotations: Object.fromEntries(annotations), owners: metadata.ownerReferences });
}

/** True for an object `compact` made: its body is only a digest, so it cannot be compared field by field. */
export function isCompact(object: KubeResource): boolean {
  return bodyDigests.has(object);
}

type OwnerReferences = NonNullable<ObjectMeta['ownerReferences']>;

/** One frozen copy of each owner reference list: every object of a platform carries the same one. */
const sharedOwners = new Map<string, OwnerReferences>();
const MAX_SHARED_OWNERS = 20_000;

function shareOwners(owners: OwnerReferences | undefined): OwnerReferences | undefined {
  if (!owners) return undefined;
  const key = stableStringify(owners);
  const known = sharedOwners.get(key);
  if (known) return known;
  if (sharedOwners.size >= MAX_SHARED_OWNERS) sharedOwners.clear();
  const frozen = Object.freeze(owners.map((owner) => Object.freeze({ ...owner }))) as unknown as OwnerReferences;
  sharedOwners.set(key, frozen);
  return frozen;
}

/**
 * The metadata fields the operator reads, in one literal: every cached object then has the same shape,
 * with its fields inside the object (metadata rebuilt by a spread kept them in a separate, growing
 * property store: ~6 MiB at 550 platforms). Owner references are shared (shareOwners).
 */
function keptMetadata(metadata: ObjectMeta): ObjectMeta {
  return {
    name: metadata.name,
    namespace: metadata.namespace,
    uid: metadata.uid,
    resourceVersion: metadata.resourceVersion,
    generation: metadata.generation,
    creationTimestamp: metadata.creationTimestamp,
    deletionTimestamp: metadata.deletionTimestamp,
    labels: metadata.labels,
    annotations: metadata.annotations,
    ownerReferences: shareOwners(metadata.ownerReferences),
    managedFields: metadata.managedFields,
  };
}

/**
 * What a cache of owned objects keeps of one: the metadata the operator reads (keptMetadata), its
 * status and spec.replicas, and a digest of the rest (bodyDigest). The operator reads nothing else of
 * a live owned object (readiness, replicas, annotations, owners); drift is found by the digest moving,
 * and then the object is read whole (runtime/apply.ts). A Deployment's pod template was ~7 KiB of its
 * ~9 KiB in the cache (docs/benchmarks.md, "Memory").
 */
export function compact<T extends KubeResource>(object: T): T {
  if (bodyDigests.has(object)) return object;
  const digest = bodyDigest(object);
  const replicas = (object.spec as { replicas?: unknown } | undefined)?.replicas;
  const kept: KubeResource = { apiVersion: object.apiVersion, kind: object.kind, metadata: keptMetadata(object.metadata) };
  if (object.status !== undefined) kept.status = object.status;
  if (replicas !== undefined) kept.spec = { replicas };
  bodyDigests.set(kept, digest);
  return kept as T;
}
