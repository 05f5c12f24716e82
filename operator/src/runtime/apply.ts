// Server-side apply with a spec-hash, so that an unchanged object costs no write, and drift
// detection, so that an owned object someone edited is put back.
//
// The hash annotation says "this live object was written from this desired state". It is not enough
// on its own: someone may edit a field the operator owns without touching the annotation. So after
// each apply the applier remembers the projection of the server's answer onto the desired shape (the
// server's canonical form of exactly the fields the operator sets); a later projection that differs is
// drift. Without such a record (just after a restart) it falls back to a field-by-field comparison.
//
// The caches keep owned objects compacted (slim.ts): metadata, status and spec.replicas, and a digest of
// the rest. The record keeps the digest of the version it last found clean too; a live object with the
// same digest is unchanged without a look, and one whose digest moved (someone edited it, or only added
// a label of their own) is read whole once and compared as above.
import { hashOf, isSubsetOf, projectOnto } from './hash.js';
import type { KubeClient, KubeResource, ResourceType } from './kube.js';
import type { WholeRead } from './read-batch.js';
import { bodyDigest, isCompact } from './slim.js';

export const SPEC_HASH_ANNOTATION = 'kyc.dev/spec-hash';
export const FIELD_MANAGER = 'kyc-operator';

export type ApplyAction = 'created' | 'updated' | 'restored' | 'unchanged';

export interface ApplyResult<T extends KubeResource> {
  action: ApplyAction;
  object: T;
}

/** The desired object with its spec-hash annotation; the hash covers everything else in it. */
export function withSpecHash<T extends KubeResource>(desired: T, knownHash?: string): { object: T; hash: string } {
  const hash = knownHash ?? hashOf(desired);
  const object = {
    ...desired,
    metadata: { ...desired.metadata, annotations: { ...desired.metadata.annotations, [SPEC_HASH_ANNOTATION]: hash } },
  };
  return { object, hash };
}

interface Record {
  hash: string;
  projection: string;
  /** The body digest (slim.ts) of the last live version found clean for this hash. */
  digest?: string;
  /** A live resourceVersion already found clean for this hash: the same version needs no new look. */
  verifiedVersion?: string;
}

/** One of the actions, or 'verify': the live object is compacted and its digest moved, so read it whole. */
export type Decision = ApplyAction | 'verify';

/** What to do with one object, given what the operator last wrote (pure, unit-tested). */
export function decide(desired: KubeResource, hash: string, live: KubeResource | undefined, record: Record | undefined): Decision {
  if (!live || live.metadata.deletionTimestamp) return 'created';
  if (live.metadata.annotations?.[SPEC_HASH_ANNOTATION] !== hash) return 'updated';
  const ours = record && record.hash === hash ? record : undefined;
  if (ours?.verifiedVersion !== undefined && ours.verifiedVersion === live.metadata.resourceVersion) return 'unchanged';
  // spec.replicas is outside the digest (an HPA changes it when the operator does not set it).
  const replicas = (desired.spec as { replicas?: unknown } | undefined)?.replicas;
  if (replicas !== undefined && replicas !== (live.spec as { replicas?: unknown } | undefined)?.replicas) return 'restored';
  if (ours?.digest !== undefined && ours.digest === bodyDigest(live)) return 'unchanged';
  if (isCompact(live)) return 'verify';
  const drifted = ours ? hashOf(projectOnto(desired, live)) !== ours.projection : !isSubsetOf(desired, live);
  return drifted ? 'restored' : 'unchanged';
}

export class Applier {
  private readonly records = new Map<string, Record>();
  /** Hashes of desired objects the caller hands in again unchanged (the reconciler caches renders). */
  private readonly hashed = new WeakMap<KubeResource, { object: KubeResource; hash: string }>();

  constructor(
    private readonly client: KubeClient,
    private readonly fieldManager = FIELD_MANAGER,
  ) {}

  /** The spec hash of `desired`, taken once per object (hashing is most of a render's cost). */
  specHash(desired: KubeResource): string {
    return this.withHash(desired).hash;
  }

  /**
   * Takes `hash` as the spec hash of `desired` without hashing it: for an object the caller rendered
   * from the same input as one whose hash it kept (the reconciler keeps hashes, not renders).
   */
  knownHash(desired: KubeResource, hash: string): void {
    this.hashed.set(desired, withSpecHash(desired, hash));
  }

  private withHash(desired: KubeResource): { object: KubeResource; hash: string } {
    let withHash = this.hashed.get(desired);
    if (!withHash) {
      withHash = withSpecHash(desired);
      this.hashed.set(desired, withHash);
    }
    return withHash;
  }

  /**
   * Applies `desired` unless `live` already matches it. `read` reads an object whole when it must be
   * looked at (a pass hands in its ReadBatch); a GET of its own otherwise.
   */
  async ensure<T extends KubeResource>(
    type: ResourceType,
    desired: KubeResource,
    live: T | undefined,
    read?: WholeRead,
  ): Promise<ApplyResult<T>> {
    const { object, hash } = this.withHash(desired);
    const key = recordKey(desired);
    const record = this.records.get(key);
    let current: KubeResource | undefined = live;
    let action = decide(object, hash, current, record);
    if (action === 'verify') {
      current = await this.read(type, desired, read);
      action = decide(object, hash, current, record);
    }
    if (action === 'unchanged' && current) {
      this.verified(key, object, hash, current, record);
      return { action, object: current as T };
    }
    let applied: T;
    try {
      applied = await this.client.apply<T>(type, object, this.fieldManager);
    } catch (error) {
      throw new Error(`apply ${desired.kind} ${desired.metadata.namespace ?? ''}/${desired.metadata.name}`, { cause: error });
    }
    this.records.set(key, recordOf(object, hash, applied));
    return { action: action as ApplyAction, object: applied };
  }

  /** The object whole from the server (the cache keeps a digest of its body): undefined when it is gone. */
  private async read(type: ResourceType, desired: KubeResource, read?: WholeRead): Promise<KubeResource | undefined> {
    const { namespace = '', name } = desired.metadata;
    try {
      return await (read ? read(type, namespace, name) : this.client.get(type, namespace, name));
    } catch (error) {
      throw new Error(`read ${desired.kind} ${desired.metadata.namespace ?? ''}/${desired.metadata.name}`, { cause: error });
    }
  }

  /**
   * Notes `live` as found clean for `hash`: its version and body digest, so that the next pass asks
   * nothing of it; a first record (after a restart) also takes its projection, compared field by field.
   */
  private verified(key: string, desired: KubeResource, hash: string, live: KubeResource, record: Record | undefined): void {
    const version = live.metadata.resourceVersion;
    if (record && record.hash === hash) {
      if (record.verifiedVersion === version) return;
      record.verifiedVersion = version;
      record.digest = bodyDigest(live);
      return;
    }
    // A compacted object cannot be projected; decide never finds one clean without a record.
    if (isCompact(live)) return;
    this.records.set(key, recordOf(desired, hash, live));
  }

  /** Forgets what was written for an object that was deleted. */
  forget(object: KubeResource): void {
    this.records.delete(recordKey(object));
  }

  /** Forgets every record of a namespace/name prefix (a deleted platform). */
  forgetWhere(predicate: (key: string) => boolean): void {
    for (const key of [...this.records.keys()]) if (predicate(key)) this.records.delete(key);
  }
}

/** What the applier keeps of a whole live object found or written clean for `hash`. */
function recordOf(desired: KubeResource, hash: string, live: KubeResource): Record {
  return { hash, projection: hashOf(projectOnto(desired, live)), digest: bodyDigest(live), verifiedVersion: live.metadata.resourceVersion };
}

function recordKey(object: KubeResource): string {
  return `${object.apiVersion}|${object.kind}|${object.metadata.namespace ?? ''}|${object.metadata.name}`;
}
