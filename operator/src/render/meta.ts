// Names, labels and owner references shared by every renderer.
import { API_VERSION, KIND } from '../api/group.js';
import type { ComponentName } from '../api/components.js';
import type { KycPlatform } from '../api/types.js';
import type { KubeObject, OwnerReference } from './types.js';

export const MANAGED_BY = 'kyc-operator';
export const APP_NAME = 'kyc-platform';
export const HTTP_PORT = 8080;
/**
 * The second listener of every workload (contract: docs/workload-contract.md): /metrics and the detailed
 * /health. No Service, NodePort or Ingress exposes it; the operator scrapes pod_ip:METRICS_PORT, and the
 * NetworkPolicies let only the operator and the monitoring namespace reach it.
 */
export const METRICS_PORT = 9090;
export const CONFIG_HASH_ANNOTATION = 'kyc.dev/config-hash';
/**
 * Set by the operator on running pods (never on templates): the digest of the live settings the pod has been
 * told about. Changing a pod's annotation makes its kubelet sync it, which refreshes the mounted settings file.
 */
export const LIVE_SETTINGS_ANNOTATION = 'kyc.dev/live-settings';
/** Where the live settings file (the platform ConfigMap's live-settings.json) is mounted in every container. */
export const LIVE_SETTINGS_DIR = '/etc/kyc/live';
/** Blue-green: the colour of a Deployment and its pods (selected by the active and preview Services). */
export const COLOR_LABEL = 'kyc.dev/color';
/** Blue-green: the full spec.version a colour's Deployment runs (labels cut versions to 63 characters). */
export const VERSION_ANNOTATION = 'kyc.dev/version';

export type Color = 'blue' | 'green';

export type LabelComponent = ComponentName | 'platform' | 'backup';

/** `<platform>-<component>`: the name of a component's Deployment, Service, SA, PDB, HPA and NetworkPolicy. */
export function componentObjectName(platform: KycPlatform, component: ComponentName): string {
  return `${platform.metadata.name}-${component}`;
}

/** `<platform>-<component>-<color>`: a colour's Deployment, and the colour's Service of an upstream. */
export function colorObjectName(platform: KycPlatform, component: ComponentName, color: Color): string {
  return `${componentObjectName(platform, component)}-${color}`;
}

/** `<platform>-<component>-preview`: the Service in front of the colour being released. */
export function previewServiceName(platform: KycPlatform, component: ComponentName): string {
  return `${componentObjectName(platform, component)}-preview`;
}

/** The pod selector of one colour of a component. */
export function colorSelectorLabels(platform: KycPlatform, component: ComponentName, color: Color): Record<string, string> {
  return { ...selectorLabels(platform, component), [COLOR_LABEL]: color };
}

/** The platform as one colour runs it: the same spec at that colour's version. */
export function atVersion<T extends KycPlatform>(platform: T, version: string): T {
  return platform.spec.version === version ? platform : { ...platform, spec: { ...platform.spec, version } };
}

export function configMapName(platform: KycPlatform): string {
  return `${platform.metadata.name}-config`;
}

/**
 * A label value from an arbitrary string: image tags may be 128 characters long and end in `.` or `-`,
 * label values may not, so the tag is cut to 63 and trimmed to end on a letter or digit.
 */
export function labelValue(value: string): string {
  return value
    .slice(0, 63)
    .replace(/[^A-Za-z0-9_.-]/g, '_')
    .replace(/^[^A-Za-z0-9]+|[^A-Za-z0-9]+$/g, '');
}

/**
 * The pod selector of a component. Minimal and never changing for the life of the Deployment
 * (selectors are immutable), so it has no version.
 */
export function selectorLabels(platform: KycPlatform, component: LabelComponent): Record<string, string> {
  return { 'app.kubernetes.io/instance': platform.metadata.name, 'app.kubernetes.io/component': component };
}

/** Every platform pod, whatever its component (for the default-deny NetworkPolicy). */
export function platformPodSelector(platform: KycPlatform): Record<string, string> {
  return { 'app.kubernetes.io/instance': platform.metadata.name, 'app.kubernetes.io/name': APP_NAME };
}

/**
 * The labels of an object that runs no version (Service, PDB, HPA, ServiceAccount, ConfigMap, NetworkPolicy,
 * Ingress, ScaledObject). No `app.kubernetes.io/version`: such an object is the same whatever version runs
 * behind it, and with the label a release start and a rollback rewrote every one of them (~45 writes in the
 * pass that switches back, docs/benchmarks.md).
 */
export function unversionedLabels(platform: KycPlatform, component: LabelComponent): Record<string, string> {
  return {
    'app.kubernetes.io/name': APP_NAME,
    'app.kubernetes.io/instance': platform.metadata.name,
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/managed-by': MANAGED_BY,
  };
}

/** The labels of an object that runs the platform's version: a Deployment, the backup CronJob, their pods. */
export function labels(platform: KycPlatform, component: LabelComponent): Record<string, string> {
  return {
    'app.kubernetes.io/name': APP_NAME,
    'app.kubernetes.io/instance': platform.metadata.name,
    'app.kubernetes.io/component': component,
    'app.kubernetes.io/version': labelValue(platform.spec.version),
    'app.kubernetes.io/managed-by': MANAGED_BY,
  };
}

export function ownerReference(platform: KycPlatform): OwnerReference {
  const uid = platform.metadata.uid;
  if (!uid) throw new Error(`KycPlatform ${platform.metadata.name} has no metadata.uid: render only objects read from the API server`);
  return { apiVersion: API_VERSION, kind: KIND, name: platform.metadata.name, uid, controller: true, blockOwnerDeletion: true };
}

export function namespaceOf(platform: KycPlatform): string {
  const namespace = platform.metadata.namespace;
  if (!namespace) throw new Error(`KycPlatform ${platform.metadata.name} has no metadata.namespace`);
  return namespace;
}

/** Standard metadata for an object the platform owns that runs its version (a Deployment, the backup CronJob). */
export function objectMeta(platform: KycPlatform, name: string, component: LabelComponent): KubeObject['metadata'] {
  return { ...unversionedObjectMeta(platform, name, component), labels: labels(platform, component) };
}

/** Standard metadata for an object the platform owns that runs no version (unversionedLabels says why). */
export function unversionedObjectMeta(platform: KycPlatform, name: string, component: LabelComponent): KubeObject['metadata'] {
  return {
    name,
    namespace: namespaceOf(platform),
    labels: unversionedLabels(platform, component),
    ownerReferences: [ownerReference(platform)],
  };
}
