// The scaling part of the platform status (pure): per component, the replica range, what the HPA
// observed and asked for, each custom metric's reading and the reason that decides the count; and the
// ScalingActive / ScalingDegraded conditions.
import type { ComponentName } from '../api/components.js';
import { autoscalingFor, componentReplicas, desiredComponentNames } from '../api/defaults.js';
import type { ComponentScalingStatus, Condition, KycPlatform, ScalingMetricStatus } from '../api/types.js';
import type { Reading } from './engine.js';
import { fallbackPolicy } from './fallback.js';
import { componentMetrics, toQuantity } from '../api/metrics.js';
import { describeReading, replicasFor } from './metrics.js';
import type { ScheduleFloor } from './schedule.js';

export const CONDITION_SCALING_ACTIVE = 'ScalingActive';
export const CONDITION_SCALING_DEGRADED = 'ScalingDegraded';
/** Another server holds external.metrics.k8s.io (docs/autoscaling.md, "Living beside KEDA and prometheus-adapter"). */
export const REASON_EXTERNAL_METRICS_ELSEWHERE = 'ExternalMetricsOwnedElsewhere';
/** provider keda without KEDA in the cluster. */
export const REASON_KEDA_NOT_INSTALLED = 'KedaNotInstalled';

/** The fields of a live HPA the status reads. */
export interface HpaView {
  status?: {
    currentReplicas?: number;
    desiredReplicas?: number;
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
  };
}

export interface ComponentScalingInput {
  name: ComponentName;
  hpa: HpaView | undefined;
  /** Replicas of the Deployment (spec), the HPA's current count when it has none yet. */
  deploymentReplicas: number | undefined;
  readings: Reading[];
  schedule: ScheduleFloor;
}

export type ConditionDraft = Omit<Condition, 'lastTransitionTime'>;

export interface ScalingStatus {
  scaling: Record<string, ComponentScalingStatus>;
  active: ConditionDraft;
  degraded: ConditionDraft;
}

/** HPA minReplicas with the schedule floor applied (never above max). */
export function effectiveMin(min: number, max: number, floor: number | undefined): number {
  return Math.min(max, Math.max(min, floor ?? 0));
}

function componentScaling(
  platform: KycPlatform,
  input: ComponentScalingInput,
): { status: ComponentScalingStatus; failing: string[]; fallback: boolean } {
  const scaling = autoscalingFor(platform.spec, input.name);
  if (!scaling.enabled) {
    const replicas = componentReplicas(platform.spec, input.name);
    return {
      status: { mode: 'Fixed', minReplicas: replicas, maxReplicas: replicas, reason: `fixed at ${replicas} replicas` },
      failing: [],
      fallback: false,
    };
  }
  const min = effectiveMin(scaling.minReplicas, scaling.maxReplicas, input.schedule.minReplicas);
  const max = scaling.maxReplicas;
  const current = input.hpa?.status?.currentReplicas ?? input.deploymentReplicas ?? min;
  const policy = fallbackPolicy(platform.spec, input.name);
  const candidates: { replicas: number; text: string }[] = [];
  const metrics: ScalingMetricStatus[] = [];
  const failing: string[] = [];
  let fallback = false;
  for (const reading of input.readings) {
    const metric = reading.metric;
    const target = metric.targetType === 'AverageValue' ? `${toQuantity(metric.target)} per pod` : toQuantity(metric.target);
    if (reading.state.consecutiveFailures > 0) {
      failing.push(`${metric.name} of ${input.name}: ${reading.state.lastError ?? 'failed'}`);
      if (reading.state.inFallback && policy) {
        fallback = true;
        const replicas = effectiveMin(policy.replicas, max, min);
        candidates.push({ replicas, text: `${metric.name} failed ${reading.state.consecutiveFailures} times → fallback ${replicas}` });
      }
      metrics.push({
        name: metric.name,
        target,
        message: `failing (${reading.state.consecutiveFailures} in a row): ${reading.state.lastError ?? ''}`.slice(0, 1024),
      });
      continue;
    }
    if (reading.value === undefined) {
      metrics.push({ name: metric.name, target, message: 'no reading yet' });
      continue;
    }
    const decision = replicasFor(metric, reading.value, current, min, max);
    const text = describeReading(metric, reading.value, decision);
    candidates.push({ replicas: decision.replicas, text });
    metrics.push({ name: metric.name, value: toQuantity(reading.value), target, replicas: decision.replicas, message: text });
  }
  // An open window goes first, so that it wins a tie with a metric held at the floor it raised.
  if (input.schedule.minReplicas !== undefined) {
    candidates.unshift({ replicas: min, text: `${input.schedule.open.join(', ')} window active → min ${min}` });
  }
  candidates.sort((a, b) => b.replicas - a.replicas);
  const reasons = candidates.map((c) => c.text);
  if (reasons.length === 0)
    reasons.push(
      `cpu ${scaling.targetCPUUtilizationPercentage}% / memory ${scaling.targetMemoryUtilizationPercentage}% targets (HPA) within ${min}-${max}`,
    );
  const status: ComponentScalingStatus = {
    mode: 'Autoscaled',
    minReplicas: min,
    maxReplicas: max,
    reason: reasons.join('; ').slice(0, 1024),
    fallback,
  };
  if (input.hpa?.status?.currentReplicas !== undefined) status.currentReplicas = input.hpa.status.currentReplicas;
  if (input.hpa?.status?.desiredReplicas !== undefined) status.desiredReplicas = input.hpa.status.desiredReplicas;
  if (metrics.length > 0) status.metrics = metrics;
  return { status, failing, fallback };
}

/** Who scales, as the reconciler found it (docs/autoscaling.md, "Living beside KEDA and prometheus-adapter"). */
export interface ProviderState {
  /**
   * The Service that holds external.metrics.k8s.io when it is not this operator's
   * (metrics-api/ownership.ts): the HPAs of a builtin platform's components with custom metrics then ask
   * that server, which knows none of them.
   */
  externalMetricsOwner?: string | undefined;
  /** provider keda, but KEDA's ScaledObject CRD is not in the cluster: nothing scales the components. */
  kedaMissing?: boolean;
}

export function computeScalingStatus(
  platform: KycPlatform,
  inputs: readonly ComponentScalingInput[],
  provider: ProviderState = {},
): ScalingStatus {
  const generation = platform.metadata.generation ?? 0;
  const scaling: Record<string, ComponentScalingStatus> = {};
  const failing: string[] = [];
  const fallbacks: string[] = [];
  const invalid = new Set<string>();
  const inactive: string[] = [];
  const needExternal: string[] = [];
  let autoscaled = 0;
  const wanted = new Set(desiredComponentNames(platform.spec));
  for (const input of inputs) {
    if (!wanted.has(input.name)) continue;
    const result = componentScaling(platform, input);
    scaling[input.name] = result.status;
    failing.push(...result.failing);
    if (result.fallback) fallbacks.push(input.name);
    for (const i of input.schedule.invalid) invalid.add(i);
    if (result.status.mode !== 'Autoscaled') continue;
    autoscaled += 1;
    if (componentMetrics(platform, input.name).length > 0) needExternal.push(input.name);
    const hpaActive = input.hpa?.status?.conditions?.find((c) => c.type === 'ScalingActive');
    if (hpaActive?.status === 'False') inactive.push(`${input.name}: ${hpaActive.reason ?? ''} ${hpaActive.message ?? ''}`.trim());
  }
  const active: ConditionDraft =
    autoscaled === 0
      ? {
          type: CONDITION_SCALING_ACTIVE,
          status: 'False',
          observedGeneration: generation,
          reason: 'NotAutoscaled',
          message: 'no component is autoscaled',
        }
      : inactive.length > 0
        ? {
            type: CONDITION_SCALING_ACTIVE,
            status: 'False',
            observedGeneration: generation,
            reason: 'HPANotScaling',
            message: inactive.join('; ').slice(0, 4096),
          }
        : {
            type: CONDITION_SCALING_ACTIVE,
            status: 'True',
            observedGeneration: generation,
            reason: 'HPAsActive',
            message: `${autoscaled} component(s) autoscaled`,
          };
  const keda = platform.spec.autoscaling?.provider === 'keda';
  const elsewhere =
    !keda && provider.externalMetricsOwner && needExternal.length > 0
      ? `external.metrics.k8s.io is served by ${provider.externalMetricsOwner}, not this operator: the custom metrics of ${needExternal.join(', ')} do not reach their HPAs (set spec.autoscaling.provider: keda, or free the APIService; docs/autoscaling.md)`
      : undefined;
  const kedaMissing =
    keda && provider.kedaMissing && autoscaled > 0
      ? `spec.autoscaling.provider is keda but KEDA is not installed (no CustomResourceDefinition scaledobjects.keda.sh): ${autoscaled} component(s) have no autoscaler; install KEDA or set provider builtin`
      : undefined;
  const problems = [
    ...(kedaMissing ? [kedaMissing] : []),
    ...(elsewhere ? [elsewhere] : []),
    ...(fallbacks.length ? [`fallback replicas in force for ${fallbacks.join(', ')}`] : []),
    ...failing,
    ...invalid,
  ];
  const degraded: ConditionDraft =
    problems.length > 0
      ? {
          type: CONDITION_SCALING_DEGRADED,
          status: 'True',
          observedGeneration: generation,
          reason: kedaMissing
            ? REASON_KEDA_NOT_INSTALLED
            : elsewhere
              ? REASON_EXTERNAL_METRICS_ELSEWHERE
              : fallbacks.length
                ? 'FallbackActive'
                : failing.length
                  ? 'MetricSourceFailing'
                  : 'InvalidSchedule',
          message: problems.join('; ').slice(0, 4096),
        }
      : {
          type: CONDITION_SCALING_DEGRADED,
          status: 'False',
          observedGeneration: generation,
          reason: 'AsExpected',
          message: 'every metric source answers',
        };
  return { scaling, active, degraded };
}
