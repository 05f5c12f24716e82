// What the informer caches keep of an object: memory at hundreds of platforms is mostly cached objects.

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
