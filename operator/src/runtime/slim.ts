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
