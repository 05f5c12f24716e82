// The kinds the operator reads and writes, and how an owned object finds its platform.
import { API_VERSION, KIND, PLURAL } from '../api/group.js';
import { isComponentName, type ComponentName } from '../api/components.js';
import { MANAGED_BY } from '../render/meta.js';
import { OWNED_KINDS } from '../render/types.js';
import type { KubeResource, ResourceType } from '../runtime/kube.js';

export const PLATFORM: ResourceType = { apiVersion: API_VERSION, kind: KIND, plural: PLURAL, namespaced: true };
/** The platform's pods: read for health and scaling, annotated for the live settings. */
export const POD: ResourceType = { apiVersion: 'v1', kind: 'Pod', plural: 'pods', namespaced: true };
/** Secrets the platform names (dependencies, the platform Secret): read, never written. */
export const SECRET: ResourceType = { apiVersion: 'v1', kind: 'Secret', plural: 'secrets', namespaced: true };

export const OWNED_TYPES: readonly ResourceType[] = OWNED_KINDS.map((k) => ({ ...k, namespaced: true }));

export const INSTANCE_LABEL = 'app.kubernetes.io/instance';
export const COMPONENT_LABEL = 'app.kubernetes.io/component';
/** Every owned object carries this label; the informers cache only objects that have it. */
export const OWNED_SELECTOR = `app.kubernetes.io/managed-by=${MANAGED_BY}`;

export function typeOf(object: { apiVersion: string; kind: string }): ResourceType {
  const type = OWNED_TYPES.find((t) => t.apiVersion === object.apiVersion && t.kind === object.kind);
  if (!type) throw new Error(`the operator does not manage ${object.kind} (${object.apiVersion})`);
  return type;
}

/** The key (namespace/name) of the platform that controls `object`, if a platform does. */
export function ownerKey(object: KubeResource): string | undefined {
  const owner = object.metadata.ownerReferences?.find(
    (ref) => ref.kind === KIND && ref.apiVersion.startsWith(`${API_VERSION.split('/')[0]}/`),
  );
  if (!owner || !object.metadata.namespace) return undefined;
  return `${object.metadata.namespace}/${owner.name}`;
}

/** True when `object` belongs to the platform with this name and uid (label and owner reference). */
export function isOwnedBy(object: KubeResource, platformName: string, platformUid: string): boolean {
  return (
    object.metadata.labels?.[INSTANCE_LABEL] === platformName &&
    (object.metadata.ownerReferences ?? []).some((ref) => ref.kind === KIND && ref.uid === platformUid)
  );
}

/** Which component a rendered Deployment runs: its component label, else the suffix of its name. */
export function componentOf(object: KubeResource): ComponentName | undefined {
  const label = object.metadata.labels?.[COMPONENT_LABEL];
  if (label && isComponentName(label)) return label;
  const parts = object.metadata.name.split('-');
  for (let i = parts.length - 1; i >= 0; i -= 1) {
    const part = parts[i] as string;
    if (isComponentName(part)) return part;
  }
  return undefined;
}
