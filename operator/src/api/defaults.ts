// Accessors: the effective value of every optional field. The API server fills schema defaults on write, but
// objects built in code (tests, older stored objects) may lack them, so every reader goes through these
// functions and none of them mutates the spec.
import { COMPONENTS, isStaticComponent, type ComponentName } from './components.js';
import { FEATURE_FLAG_NAMES, type FeatureFlagName } from './flags.js';
import {
  AUTOSCALING_DEFAULTS,
  DEFAULT_IMAGE,
  DEFAULT_PROFILE,
  DEPENDENCY_PORT_DEFAULTS,
  RELEASE_DEFAULTS,
  SECRET_KEY_DEFAULTS,
  TLS_DEFAULTS,
} from './schema.js';
import type { ComponentSpec, KycPlatformSpec, NetworkPeer, Quantity } from './types.js';

export type Profile = NonNullable<KycPlatformSpec['profile']>;
export type Dependency = keyof typeof SECRET_KEY_DEFAULTS;

export interface EffectiveResources {
  requests: { cpu: Quantity; memory: Quantity };
  limits: { cpu: Quantity; memory: Quantity };
}

interface ProfilePreset {
  replicas: number;
  resources: EffectiveResources;
  autoscaling: boolean;
}

/** Replica and resource presets per profile (production: 256Mi/250m requests, 512Mi/500m limits; docs/api.md, "Profiles"). */
export const PROFILE_PRESETS: Readonly<Record<Profile, ProfilePreset>> = {
  development: {
    replicas: 1,
    resources: { requests: { cpu: '50m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
    autoscaling: false,
  },
  staging: {
    replicas: 2,
    resources: { requests: { cpu: '100m', memory: '192Mi' }, limits: { cpu: '500m', memory: '384Mi' } },
    autoscaling: true,
  },
  production: {
    replicas: 3,
    resources: { requests: { cpu: '250m', memory: '256Mi' }, limits: { cpu: '500m', memory: '512Mi' } },
    autoscaling: true,
  },
};

/**
 * The resources of a static component (the frontend) in every profile: it answers a few hundred kB of
 * files from memory, so its CPU is a fraction of a service's; its memory is Node.js's own (about 110 MiB
 * resident, measured with the web app loaded), docs/frontend.md "How it runs".
 */
export const STATIC_RESOURCES: Readonly<EffectiveResources> = {
  requests: { cpu: '25m', memory: '128Mi' },
  limits: { cpu: '250m', memory: '192Mi' },
};

export function profileOf(spec: KycPlatformSpec): Profile {
  return spec.profile ?? DEFAULT_PROFILE;
}

function componentSpec(spec: KycPlatformSpec, name: ComponentName): ComponentSpec {
  return spec.components?.[name] ?? {};
}

export function componentEnabled(spec: KycPlatformSpec, name: ComponentName): boolean {
  return componentSpec(spec, name).enabled ?? true;
}

/** The components the platform runs, in the fixed COMPONENTS order. */
export function desiredComponentNames(spec: KycPlatformSpec): ComponentName[] {
  return COMPONENTS.filter((name) => componentEnabled(spec, name));
}

export function imageFor(spec: KycPlatformSpec): string {
  return `${spec.image ?? DEFAULT_IMAGE}:${spec.version}`;
}

export function imagePullPolicyOf(spec: KycPlatformSpec): NonNullable<KycPlatformSpec['imagePullPolicy']> {
  return spec.imagePullPolicy ?? 'IfNotPresent';
}

export function logLevelOf(spec: KycPlatformSpec): NonNullable<KycPlatformSpec['logLevel']> {
  return spec.logLevel ?? 'info';
}

/** Fixed replica count (meaningful when the component is not autoscaled): the override, else the profile preset. */
export function componentReplicas(spec: KycPlatformSpec, name: ComponentName): number {
  return componentSpec(spec, name).replicas ?? PROFILE_PRESETS[profileOf(spec)].replicas;
}

/** Requests and limits: the component override field by field over the profile preset (a static component's own). */
export function resourcesFor(spec: KycPlatformSpec, name: ComponentName): EffectiveResources {
  const preset = isStaticComponent(name) ? STATIC_RESOURCES : PROFILE_PRESETS[profileOf(spec)].resources;
  const override = componentSpec(spec, name).resources;
  return {
    requests: {
      cpu: override?.requests?.cpu ?? preset.requests.cpu,
      memory: override?.requests?.memory ?? preset.requests.memory,
    },
    limits: {
      cpu: override?.limits?.cpu ?? preset.limits.cpu,
      memory: override?.limits?.memory ?? preset.limits.memory,
    },
  };
}

export interface EffectiveAutoscaling {
  enabled: boolean;
  minReplicas: number;
  maxReplicas: number;
  targetCPUUtilizationPercentage: number;
  targetMemoryUtilizationPercentage: number;
  scaleDownStabilizationSeconds: number;
}

/** The component's autoscaling: its override, else spec.autoscaling, else the defaults (enabled per profile). */
export function autoscalingFor(spec: KycPlatformSpec, name: ComponentName): EffectiveAutoscaling {
  const platform = spec.autoscaling ?? {};
  const override = componentSpec(spec, name).autoscaling ?? {};
  return {
    enabled: override.enabled ?? platform.enabled ?? PROFILE_PRESETS[profileOf(spec)].autoscaling,
    minReplicas: override.minReplicas ?? platform.minReplicas ?? AUTOSCALING_DEFAULTS.minReplicas,
    maxReplicas: override.maxReplicas ?? platform.maxReplicas ?? AUTOSCALING_DEFAULTS.maxReplicas,
    targetCPUUtilizationPercentage:
      override.targetCPUUtilizationPercentage ??
      platform.targetCPUUtilizationPercentage ??
      AUTOSCALING_DEFAULTS.targetCPUUtilizationPercentage,
    targetMemoryUtilizationPercentage:
      override.targetMemoryUtilizationPercentage ??
      platform.targetMemoryUtilizationPercentage ??
      AUTOSCALING_DEFAULTS.targetMemoryUtilizationPercentage,
    scaleDownStabilizationSeconds:
      override.scaleDownStabilizationSeconds ??
      platform.scaleDownStabilizationSeconds ??
      AUTOSCALING_DEFAULTS.scaleDownStabilizationSeconds,
  };
}

export function isAutoscaled(spec: KycPlatformSpec, name: ComponentName): boolean {
  return autoscalingFor(spec, name).enabled;
}

/** The Secret and key holding a dependency's connection setting, or undefined when the spec names none. */
export function dependencySecret(spec: KycPlatformSpec, dependency: Dependency): { name: string; key: string } | undefined {
  const ref = spec.dependencies?.[dependency]?.secretRef;
  if (!ref) return undefined;
  return { name: ref.name, key: ref.key ?? SECRET_KEY_DEFAULTS[dependency] };
}

/** The key of the migration role's URL in the PostgreSQL Secret under PerComponent credentials. */
export const MIGRATE_CREDENTIAL_KEY = 'migrate-url';

/**
 * Whether each component connects to the dependency with a credential of its own (`credentials:
 * PerComponent`, docs/security.md "Per-service credentials" and "Kafka"); absent is Shared.
 */
export function hasPerComponentCredentials(spec: KycPlatformSpec, dependency: Dependency): boolean {
  return spec.dependencies?.[dependency]?.credentials === 'PerComponent';
}

/**
 * The Secret and key a component reads a dependency from: its own `<component>-url` under PerComponent
 * credentials. Kafka's broker list is the same for everyone; its principals are render/kafka-sasl.ts's.
 */
export function componentDependencySecret(
  spec: KycPlatformSpec,
  dependency: Dependency,
  component: ComponentName,
): { name: string; key: string } | undefined {
  const ref = dependencySecret(spec, dependency);
  if (!ref || dependency === 'kafka' || !hasPerComponentCredentials(spec, dependency)) return ref;
  return { name: ref.name, key: `${component}-url` };
}

/** The platform Secret's name, or undefined when the spec names none. */
export function platformSecretName(spec: KycPlatformSpec): string | undefined {
  return spec.secretsRef?.name;
}

export interface EffectiveLoadBalancing {
  strategy: 'round-robin' | 'least-connections' | 'ip-hash';
  stickySessions: boolean;
}

export function loadBalancingFor(spec: KycPlatformSpec): EffectiveLoadBalancing {
  return {
    strategy: spec.loadBalancing?.strategy ?? 'round-robin',
    stickySessions: spec.loadBalancing?.stickySessions ?? false,
  };
}

export function networkPoliciesEnabled(spec: KycPlatformSpec): boolean {
  return spec.security?.networkPolicies ?? true;
}

/** Where a dependency runs (egress NetworkPolicy): its peers (none: unreachable) and TCP ports. */
export function dependencyNetwork(spec: KycPlatformSpec, dependency: Dependency): { peers: NetworkPeer[]; ports: number[] } {
  const settings = spec.dependencies?.[dependency];
  const ports = settings?.ports;
  return { peers: settings?.networkPeers ?? [], ports: ports && ports.length > 0 ? ports : [DEPENDENCY_PORT_DEFAULTS[dependency]] };
}

/** The cluster DNS as kubeadm, kind and most distributions run it: CoreDNS pods labelled k8s-app=kube-dns in kube-system. */
export const DEFAULT_DNS_PEERS: readonly NetworkPeer[] = [
  {
    namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } },
    podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } },
  },
];

export function dnsPeersOf(spec: KycPlatformSpec): readonly NetworkPeer[] {
  const peers = spec.security?.dnsPeers;
  return peers && peers.length > 0 ? peers : DEFAULT_DNS_PEERS;
}

/** The proxies whose X-Forwarded-For the gateway believes; empty: none (the socket address is the client's). */
export function trustedProxiesOf(spec: KycPlatformSpec): string[] {
  return spec.security?.trustedProxies ?? [];
}

/** Every feature flag with its value in force (on unless the spec turns it off), sorted by name so the rendered ConfigMap is stable. */
export function featureFlagsOf(spec: KycPlatformSpec): Record<FeatureFlagName, boolean> {
  const set = spec.featureFlags ?? {};
  return Object.fromEntries(FEATURE_FLAG_NAMES.map((name) => [name, set[name] ?? true])) as Record<FeatureFlagName, boolean>;
}

export type DegradationMode = NonNullable<NonNullable<KycPlatformSpec['degradation']>['mode']>;

/** The reduced-functionality mode an admin forced (docs/api.md, "Degradation"); Normal when none. */
export function degradationModeOf(spec: KycPlatformSpec): DegradationMode {
  return spec.degradation?.mode ?? 'Normal';
}

export interface EffectiveRelease {
  strategy: 'BlueGreen' | 'RollingUpdate';
  autoPromote: boolean;
  autoPromotionSeconds: number;
  scaleDownDelaySeconds: number;
  previewReplicas: number | undefined;
  progressDeadlineSeconds: number;
  smokeCheck: { enabled: boolean; path: string; gatewayPath: string; timeoutSeconds: number; retries: number };
}

/** The release settings; without spec.release the strategy is a plain rolling update. */
export function releaseFor(spec: KycPlatformSpec): EffectiveRelease {
  const release = spec.release;
  return {
    strategy: release ? (release.strategy ?? RELEASE_DEFAULTS.strategy) : 'RollingUpdate',
    autoPromote: release?.autoPromote ?? RELEASE_DEFAULTS.autoPromote,
    autoPromotionSeconds: release?.autoPromotionSeconds ?? 0,
    scaleDownDelaySeconds: release?.scaleDownDelaySeconds ?? RELEASE_DEFAULTS.scaleDownDelaySeconds,
    previewReplicas: release?.previewReplicas,
    progressDeadlineSeconds: release?.progressDeadlineSeconds ?? RELEASE_DEFAULTS.progressDeadlineSeconds,
    smokeCheck: {
      enabled: release?.smokeCheck?.enabled ?? true,
      path: release?.smokeCheck?.path ?? RELEASE_DEFAULTS.smokeCheckPath,
      gatewayPath: release?.smokeCheck?.gatewayPath ?? RELEASE_DEFAULTS.smokeCheckGatewayPath,
      timeoutSeconds: release?.smokeCheck?.timeoutSeconds ?? RELEASE_DEFAULTS.smokeCheckTimeoutSeconds,
      retries: release?.smokeCheck?.retries ?? RELEASE_DEFAULTS.smokeCheckRetries,
    },
  };
}

/** The user's extra environment variables for a component, in spec order. */
export function extraEnvFor(spec: KycPlatformSpec, name: ComponentName): { name: string; value: string }[] {
  return (componentSpec(spec, name).env ?? []).map((e) => ({ name: e.name, value: e.value ?? '' }));
}

export type TlsMode = 'BuiltIn' | 'Disabled';

/** spec.tls.mode: BuiltIn unless Disabled (docs/security.md, "TLS between the components"). */
export function tlsModeOf(spec: KycPlatformSpec): TlsMode {
  return spec.tls?.mode ?? TLS_DEFAULTS.mode;
}

export function tlsEnabled(spec: KycPlatformSpec): boolean {
  return tlsModeOf(spec) === 'BuiltIn';
}

/** spec.tls.certificateValidity in milliseconds (the schema allows `<hours>h` and `<hours>h<minutes>m`). */
export function certificateValidityMs(spec: KycPlatformSpec): number {
  const text = spec.tls?.certificateValidity ?? TLS_DEFAULTS.certificateValidity;
  const match = /^(\d+)h(?:(\d+)m)?$/.exec(text);
  if (!match) throw new Error(`tls.certificateValidity ${text}: expected hours and optional minutes, e.g. 720h or 1h30m`);
  return (Number(match[1]) * 60 + Number(match[2] ?? 0)) * 60_000;
}

/** The extra names of the gateway's certificate: tls.publicNames, then ingress.host. */
export function gatewayPublicNames(spec: KycPlatformSpec): string[] {
  const names = [...(spec.tls?.publicNames ?? []), ...(spec.ingress?.host ? [spec.ingress.host] : [])];
  return [...new Set(names)];
}
