// Provisional hand-written types; replaced by the generator output from schema.ts.
export { COMPONENTS, type ComponentName } from './components.js';
import type { ComponentName } from './components.js';

export type Quantity = string | number;
export interface ResourceList { cpu?: Quantity; memory?: Quantity }
export interface ResourceRequirements { requests?: ResourceList; limits?: ResourceList }
export interface EnvVar { name: string; value?: string }
export interface ComponentAutoscaling {
  enabled?: boolean;
  minReplicas?: number;
  maxReplicas?: number;
  targetCPUUtilizationPercentage?: number;
  targetMemoryUtilizationPercentage?: number;
  scaleDownStabilizationSeconds?: number;
}
export interface ComponentSpec {
  enabled?: boolean;
  replicas?: number;
  resources?: ResourceRequirements;
  env?: EnvVar[];
  autoscaling?: ComponentAutoscaling;
}
export interface SecretKeyRef { name: string; key?: string }
export interface KycPlatformSpec {
  version: string;
  image?: string;
  imagePullPolicy?: 'Always' | 'IfNotPresent' | 'Never';
  profile?: 'development' | 'staging' | 'production';
  logLevel?: 'debug' | 'info' | 'warn' | 'error';
  featureFlags?: Record<string, boolean>;
  components?: Partial<Record<ComponentName, ComponentSpec>>;
  dependencies?: { postgres?: { secretRef: SecretKeyRef }; redis?: { secretRef: SecretKeyRef }; kafka?: { secretRef: SecretKeyRef } };
  secretsRef?: { name: string };
  autoscaling?: ComponentAutoscaling & { metrics?: unknown; schedules?: unknown[]; fallback?: unknown };
  loadBalancing?: { strategy?: 'round-robin' | 'least-connections' | 'ip-hash' | 'weighted'; stickySessions?: boolean; weights?: Record<string, number> };
  security?: { networkPolicies?: boolean };
  ingress?: { host?: string; tlsSecretName?: string; className?: string };
  placement?: { nodeSelector?: Record<string, string>; tolerations?: Record<string, unknown>[] };
  release?: Record<string, unknown>;
}
export interface Condition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  observedGeneration?: number;
  lastTransitionTime: string;
  reason: string;
  message: string;
}
export interface ComponentStatus { desired?: number; ready?: number; updated?: number; available?: number }
export interface KycPlatformStatus {
  observedGeneration?: number;
  phase?: 'Pending' | 'Progressing' | 'Ready' | 'Degraded' | 'Failed';
  conditions?: Condition[];
  components?: Partial<Record<ComponentName, ComponentStatus>>;
  readyComponents?: string;
  activeVersion?: string;
  activeColor?: 'blue' | 'green';
  release?: Record<string, unknown>;
  scaling?: Record<string, unknown>;
}
export interface KycPlatformMetadata {
  name: string;
  namespace?: string;
  uid?: string;
  generation?: number;
  resourceVersion?: string;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
  finalizers?: string[];
}
export interface KycPlatform {
  apiVersion: 'kyc.dev/v1alpha1';
  kind: 'KycPlatform';
  metadata: KycPlatformMetadata;
  spec: KycPlatformSpec;
  status?: KycPlatformStatus;
}
