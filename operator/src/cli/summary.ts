// What `kubectl kyc status` shows, computed from the platform's status and its live Deployments (pure).
// The text tree (format.ts) and `-o json` both print this one summary, so the two never disagree.
import { COMPONENTS, type ComponentName } from '../api/components.js';
import { componentReady, componentStatus, type DeploymentLike } from '../api/observed.js';
import type { BackupStatus, ComponentScalingStatus, ComponentStatus, Condition, KycPlatform, ReleaseStatus } from '../api/types.js';
import { ABORT_ANNOTATION, COLOR_LABEL, PROMOTE_ANNOTATION, VERSION_ANNOTATION } from '../release/model.js';

/** A Deployment as the plugin lists it (a subset of apps/v1). */
export type DeploymentView = DeploymentLike & {
  metadata: { name: string; generation?: number; labels?: Record<string, string>; annotations?: Record<string, string> };
};

/** One Deployment of a component: a colour under blue-green, `single` without it. */
export interface ColorSummary {
  deployment: string;
  color: 'blue' | 'green' | 'single';
  version: string | undefined;
  /** What the release model says this colour is doing (docs/releases.md, "Phases"). */
  role: 'active' | 'preview' | 'previous' | 'idle';
  desired: number;
  ready: number;
  available: number;
  updated: number;
  rolledOut: boolean;
}

export interface ComponentSummary {
  name: ComponentName;
  /** status.components.<name>: the counts the operator reports (the active colour under blue-green). */
  replicas: ComponentStatus;
  /** Every ready replica that is desired is there (status.components), and at least one is desired. */
  ready: boolean;
  colors: ColorSummary[];
  scaling: ComponentScalingStatus | undefined;
}

export interface PlatformSummary {
  name: string;
  namespace: string;
  generation: number | undefined;
  observedGeneration: number | undefined;
  phase: string | undefined;
  /** spec.version: what is asked for. */
  version: string;
  /** status.activeVersion / activeColor: what serves. */
  activeVersion: string | undefined;
  activeColor: string | undefined;
  readyComponents: string | undefined;
  degradationMode: string | undefined;
  components: ComponentSummary[];
  release: ReleaseStatus | undefined;
  /** status.backup: the last successful backup, when spec.backup is set and one has succeeded. */
  backup: BackupStatus | undefined;
  /** Annotations kyc.dev/promote or kyc.dev/abort not yet acted upon (the operator removes them). */
  pendingRequests: string[];
  conditions: Condition[];
  /** False when the platform is Failed or Degraded or its last release failed: `status` then exits 1. */
  healthy: boolean;
}

/** Conditions for which True is the bad news. */
export const NEGATIVE_CONDITIONS: ReadonlySet<string> = new Set(['Degraded', 'ReleaseFailed', 'ScalingDegraded']);

export function summarize(platform: KycPlatform, deployments: readonly DeploymentView[]): PlatformSummary {
  const status = platform.status ?? {};
  const release = status.release;
  const conditions = status.conditions ?? [];
  const names = COMPONENTS.filter(
    (name) =>
      status.components?.[name] !== undefined ||
      status.scaling?.[name] !== undefined ||
      deployments.some((d) => d.metadata.labels?.['app.kubernetes.io/component'] === name),
  );
  const components = names.map((name): ComponentSummary => {
    const replicas = status.components?.[name] ?? {};
    const colors = deployments
      .filter((d) => d.metadata.labels?.['app.kubernetes.io/component'] === name)
      .map((d) => colorSummary(d, release))
      .sort((a, b) => ROLE_ORDER.indexOf(a.role) - ROLE_ORDER.indexOf(b.role) || a.deployment.localeCompare(b.deployment));
    return {
      name,
      replicas,
      ready: (replicas.desired ?? 0) > 0 && (replicas.ready ?? 0) >= (replicas.desired ?? 0),
      colors,
      scaling: status.scaling?.[name],
    };
  });
  const failedRelease = conditions.some((c) => c.type === 'ReleaseFailed' && c.status === 'True');
  return {
    name: platform.metadata.name,
    namespace: platform.metadata.namespace ?? '',
    generation: platform.metadata.generation,
    observedGeneration: status.observedGeneration,
    phase: status.phase,
    version: platform.spec.version,
    activeVersion: status.activeVersion,
    activeColor: status.activeColor,
    readyComponents: status.readyComponents,
    degradationMode: status.degradationMode,
    components,
    release,
    backup: status.backup,
    pendingRequests: [PROMOTE_ANNOTATION, ABORT_ANNOTATION].filter((a) => platform.metadata.annotations?.[a] !== undefined),
    conditions,
    healthy: status.phase !== 'Failed' && status.phase !== 'Degraded' && !failedRelease,
  };
}

const ROLE_ORDER: readonly ColorSummary['role'][] = ['active', 'preview', 'previous', 'idle'];

function colorSummary(deployment: DeploymentView, release: ReleaseStatus | undefined): ColorSummary {
  const label = deployment.metadata.labels?.[COLOR_LABEL];
  const color = label === 'blue' || label === 'green' ? label : 'single';
  const counts = componentStatus(deployment);
  return {
    deployment: deployment.metadata.name,
    color,
    version: deployment.metadata.annotations?.[VERSION_ANNOTATION] ?? deployment.metadata.labels?.['app.kubernetes.io/version'],
    role: roleOf(color, release),
    ...counts,
    rolledOut: componentReady(deployment),
  };
}

function roleOf(color: ColorSummary['color'], release: ReleaseStatus | undefined): ColorSummary['role'] {
  // Without blue-green (or before its first release is recorded) the single Deployment serves.
  if (color === 'single') {
    if (!release?.activeColor) return 'active';
    return release.phase === 'ScalingDown' && release.previousColor === 'legacy' ? 'previous' : 'idle';
  }
  if (color === release?.activeColor) return 'active';
  const releasing = release?.phase !== undefined && !['Idle', 'ScalingDown'].includes(release.phase);
  if (releasing && color === release.previewColor) return 'preview';
  if (release?.phase === 'ScalingDown' && color === release.previousColor) return 'previous';
  return 'idle';
}
