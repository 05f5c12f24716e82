// Server-side apply with a spec-hash, so that an unchanged object costs no write, and drift
// detection, so that an owned object someone edited is put back.
//
// The hash annotation says "this live object was written from this desired state". It is not enough
// on its own: someone may edit a field the operator owns without touching the annotation. So after
// each apply the applier remembers the projection of the server's answer onto the desired shape (the
// server's canonical form of exactly the fields the operator sets); a later projection that differs is
// drift. Without such a record (just after a restart) it falls back to a field-by-field comparison.
import { hashOf, isSubsetOf, projectOnto } from './hash.js';
import type { KubeClient, KubeResource, ResourceType } from './kube.js';

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
  /** A live resourceVersion already found clean for this hash: the same version needs no new look. */
  verifiedVersion?: string;
}

/** What to do with one object, given what the operator last wrote (pure, unit-tested). */
export function decide(
  desired: KubeResource,
  hash: string,
  live: KubeResource | undefined,
  record: Record | undefined,
): Exclude<ApplyAction, 'unchanged'> | 'unchanged' {
  if (!live || live.metadata.deletionTimestamp) return 'created';
  if (live.metadata.annotations?.[SPEC_HASH_ANNOTATION] !== hash) return 'updated';
  if (record && record.hash === hash && record.verifiedVersion !== undefined && record.verifiedVersion === live.metadata.resourceVersion) {
    return 'unchanged';
  }
  const drifted = record && record.hash === hash ? hashOf(projectOnto(desired, live)) !== record.projection : !isSubsetOf(desired, live);
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

  /** Applies `desired` unless `live` already matches it. */
  async ensure<T extends KubeResource>(type: ResourceType, desired: KubeResource, live: T | undefined): Promise<ApplyResult<T>> {
    const { object, hash } = this.withHash(desired);
    const key = recordKey(desired);
    const record = this.records.get(key);
    const action = decide(object, hash, live, record);
    if (action === 'unchanged' && live) {
      if (record && record.hash === hash) record.verifiedVersion = live.metadata.resourceVersion;
      return { action, object: live };
    }
    let applied: T;
    try {
      applied = await this.client.apply<T>(type, object, this.fieldManager);
    } catch (error) {
      throw new Error(`apply ${desired.kind} ${desired.metadata.namespace ?? ''}/${desired.metadata.name}`, { cause: error });
    }
    this.records.set(key, { hash, projection: hashOf(projectOnto(object, applied)), verifiedVersion: applied.metadata.resourceVersion });
    return { action, object: applied };
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

function recordKey(object: KubeResource): string {
  return `${object.apiVersion}|${object.kind}|${object.metadata.namespace ?? ''}|${object.metadata.name}`;
}
