// A KycPlatform's status as Prometheus gauges, so an SRE can alert on a platform's state the way
// kube-state-metrics, Argo Rollouts (rollout_info, rollout_phase) and KEDA do for theirs
// (docs/observability.md). Pure: the status in, samples out; reconcile/platform-gauges.ts registers
// them with prom-client and reads the platforms from the informer's cache at scrape time, so a
// deleted platform's series go with it.
//
// Every series carries namespace and name (the platform's), as kube-state-metrics does: scrape the
// operator with honor_labels (ServiceMonitor honorLabels: true), or Prometheus renames the platform's
// namespace to exported_namespace. States are "state sets": one series per possible value, 1 for the
// current one, so `kyc_platform_phase{phase="Failed"} == 1` selects and `for:` measures time in a state.
import { COMPONENTS } from './components.js';
import { parseQuantity } from './quantity.js';
import type { KycPlatform, KycPlatformStatus, ReleaseStatus } from './types.js';

export type PlatformPhase = NonNullable<KycPlatformStatus['phase']>;
export type ReleasePhase = NonNullable<ReleaseStatus['phase']>;

export const PLATFORM_PHASES: readonly PlatformPhase[] = ['Pending', 'Progressing', 'Ready', 'Degraded', 'Failed'];
export const RELEASE_PHASES: readonly ReleasePhase[] = [
  'Idle',
  'Deploying',
  'Verifying',
  'AwaitingPromotion',
  'Switching',
  'ScalingDown',
  'Aborted',
];
const CONDITION_STATUSES = ['True', 'False', 'Unknown'] as const;
const REPLICA_STATES = ['desired', 'ready', 'updated', 'available'] as const;
const SCALING_BOUNDS = ['min', 'max', 'current', 'desired'] as const;
const PER_POD = ' per pod';

/** The gauges, by key: name, help and label names, in one place for the registration and the docs. */
export const PLATFORM_GAUGES = {
  ready: { name: 'kyc_platform_ready', help: "1 while the platform's Ready condition is True.", labelNames: ['namespace', 'name'] },
  phase: {
    name: 'kyc_platform_phase',
    help: "The platform's status.phase: 1 for the current phase, 0 for the others.",
    labelNames: ['namespace', 'name', 'phase'],
  },
  condition: {
    name: 'kyc_platform_condition',
    help: "The platform's status conditions: 1 for the condition's current status (True, False, Unknown), 0 for the others.",
    labelNames: ['namespace', 'name', 'type', 'status'],
  },
  componentReplicas: {
    name: 'kyc_platform_component_replicas',
    help: 'Replicas per component as the operator last reported them (desired, ready, updated, available).',
    labelNames: ['namespace', 'name', 'component', 'state'],
  },
  releasePhase: {
    name: 'kyc_platform_release_phase',
    help: 'The blue-green release step (status.release.phase): 1 for the current step, 0 for the others.',
    labelNames: ['namespace', 'name', 'phase'],
  },
  releasePhaseStarted: {
    name: 'kyc_platform_release_phase_started_timestamp_seconds',
    help: 'When the current release step began (status.release.phaseStartedAt), in Unix seconds.',
    labelNames: ['namespace', 'name'],
  },
  releaseSmokeCheckFailures: {
    name: 'kyc_platform_release_smoke_check_failures',
    help: 'Failed smoke-check rounds in the current release.',
    labelNames: ['namespace', 'name'],
  },
  releaseFailed: {
    name: 'kyc_platform_release_failed',
    help: '1 while the last release is Aborted, with the reason (ProgressDeadlineExceeded, SmokeCheckFailed, AbortRequested).',
    labelNames: ['namespace', 'name', 'reason'],
  },
  scalingFallback: {
    name: 'kyc_platform_scaling_fallback',
    help: '1 while a component runs its fallback replica count because its custom metrics keep failing.',
    labelNames: ['namespace', 'name', 'component'],
  },
  scalingMetricValue: {
    name: 'kyc_platform_scaling_metric_value',
    help: "The last value the operator read for a component's custom scaling metric.",
    labelNames: ['namespace', 'name', 'component', 'metric'],
  },
  scalingMetricReplicas: {
    name: 'kyc_platform_scaling_metric_replicas',
    help: "Replicas one custom scaling metric alone asks for, within the component's min and max.",
    labelNames: ['namespace', 'name', 'component', 'metric'],
  },
  scalingMetricUnavailable: {
    name: 'kyc_platform_scaling_metric_unavailable',
    help: "1 while a component's custom scaling metric cannot be read (the scaler fails).",
    labelNames: ['namespace', 'name', 'component', 'metric'],
  },
  scalingMetricTarget: {
    name: 'kyc_platform_scaling_metric_target',
    help: "The target of a component's custom scaling metric: per pod (type AverageValue) or for the whole component (Value).",
    labelNames: ['namespace', 'name', 'component', 'metric', 'type'],
  },
  scalingReplicas: {
    name: 'kyc_platform_scaling_replicas',
    help: "A component's autoscaling bounds and decision (status.scaling): min, max, current and desired replicas.",
    labelNames: ['namespace', 'name', 'component', 'bound'],
  },
} as const satisfies Record<string, { name: string; help: string; labelNames: readonly string[] }>;

export type PlatformGauge = keyof typeof PLATFORM_GAUGES;
export interface GaugeSample {
  labels: Record<string, string>;
  value: number;
}
export type PlatformSamples = Record<PlatformGauge, GaugeSample[]>;

/** The gauges' samples for one platform, from its status alone. */
export function platformSamples(platform: KycPlatform): PlatformSamples {
  const id = { namespace: platform.metadata.namespace ?? '', name: platform.metadata.name };
  const status = platform.status ?? {};
  const samples: PlatformSamples = {
    ready: [{ labels: id, value: status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ? 1 : 0 }],
    // No phase yet (the operator has not written a status): no phase series rather than a guess.
    phase: status.phase ? stateSet(id, 'phase', PLATFORM_PHASES, status.phase) : [],
    condition: (status.conditions ?? []).flatMap((c) => stateSet({ ...id, type: c.type }, 'status', CONDITION_STATUSES, c.status)),
    componentReplicas: COMPONENTS.flatMap((component) => {
      const replicas = status.components?.[component];
      if (!replicas) return [];
      return REPLICA_STATES.map((state) => ({ labels: { ...id, component, state }, value: replicas[state] ?? 0 }));
    }),
    releasePhase: [],
    releasePhaseStarted: [],
    releaseSmokeCheckFailures: [],
    releaseFailed: [],
    scalingFallback: [],
    scalingMetricValue: [],
    scalingMetricReplicas: [],
    scalingMetricUnavailable: [],
    scalingMetricTarget: [],
    scalingReplicas: [],
  };
  const release = status.release;
  if (release?.phase) {
    samples.releasePhase = stateSet(id, 'phase', RELEASE_PHASES, release.phase);
    samples.releaseSmokeCheckFailures = [{ labels: id, value: release.smokeCheckFailures ?? 0 }];
    const started = release.phaseStartedAt ? Date.parse(release.phaseStartedAt) : NaN;
    if (Number.isFinite(started)) samples.releasePhaseStarted = [{ labels: id, value: started / 1000 }];
    if (release.phase === 'Aborted') samples.releaseFailed = [{ labels: { ...id, reason: release.failureReason ?? 'Unknown' }, value: 1 }];
  }
  for (const [component, scaling] of Object.entries(status.scaling ?? {})) {
    // Only autoscaled components have a fallback policy; a Fixed one has nothing to fall back from.
    if (scaling.mode === 'Autoscaled' || scaling.fallback !== undefined)
      samples.scalingFallback.push({ labels: { ...id, component }, value: scaling.fallback ? 1 : 0 });
    for (const bound of SCALING_BOUNDS) {
      const value = scaling[`${bound}Replicas`];
      if (typeof value === 'number') samples.scalingReplicas.push({ labels: { ...id, component, bound }, value });
    }
    for (const metric of scaling.metrics ?? []) {
      if (!metric.name) continue;
      const labels = { ...id, component, metric: metric.name };
      const value = metric.value === undefined ? NaN : quantityOrNaN(metric.value);
      samples.scalingMetricUnavailable.push({ labels, value: Number.isFinite(value) ? 0 : 1 });
      if (Number.isFinite(value)) samples.scalingMetricValue.push({ labels, value });
      if (metric.replicas !== undefined) samples.scalingMetricReplicas.push({ labels, value: metric.replicas });
      const target = metric.target === undefined ? undefined : scalingTarget(metric.target);
      if (target) samples.scalingMetricTarget.push({ labels: { ...labels, type: target.type }, value: target.value });
    }
  }
  return samples;
}

/** status.scaling's target text (scaling/status.ts writes `100 per pod` or `2k`) as a number and its type. */
function scalingTarget(text: string): { value: number; type: 'AverageValue' | 'Value' } | undefined {
  const perPod = text.endsWith(PER_POD);
  const value = quantityOrNaN(perPod ? text.slice(0, -PER_POD.length) : text);
  // Not written by this operator's version: no series rather than a wrong one.
  return Number.isFinite(value) ? { value, type: perPod ? 'AverageValue' : 'Value' } : undefined;
}

/** status.scaling's values are quantities (`12500m` for 12.5: scaling/status.ts); NaN when malformed. */
function quantityOrNaN(text: string): number {
  try {
    return parseQuantity(text);
  } catch {
    return NaN;
  }
}

function stateSet<T extends string>(labels: Record<string, string>, key: string, states: readonly T[], current: T): GaugeSample[] {
  return states.map((state) => ({ labels: { ...labels, [key]: state }, value: state === current ? 1 : 0 }));
}

/** A gauge's `# HELP` and `# TYPE` lines in the Prometheus text format (version 0.0.4). */
export function gaugeHeader(gauge: PlatformGauge): string {
  const { name, help } = PLATFORM_GAUGES[gauge];
  return `# HELP ${name} ${escapeText(help)}\n# TYPE ${name} gauge\n`;
}

/** Samples as lines of the text format, each ending in a newline; written as prom-client writes them. */
export function sampleLines(gauge: PlatformGauge, samples: readonly GaugeSample[]): string {
  const { name } = PLATFORM_GAUGES[gauge];
  let text = '';
  for (const { labels, value } of samples) {
    const pairs = Object.entries(labels).map(([label, labelValue]) => `${label}="${escapeText(labelValue).replaceAll('"', '\\"')}"`);
    text += `${name}{${pairs.join(',')}} ${valueText(value)}\n`;
  }
  return text;
}

// The text format escapes a backslash and a newline in HELP and label values, and a double quote in
// label values: a metric name in status.scaling comes from the platform's spec.
const escapeText = (text: string): string => text.replaceAll('\\', '\\\\').replaceAll('\n', '\\n');

function valueText(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value < 0 ? '-Inf' : '+Inf';
  return String(value);
}
