// `kubectl kyc explain-scaling`: the scaling decision of each component as the operator recorded it in
// status.scaling (docs/autoscaling.md, "What SREs see"), beside the inputs it was made from — the spec's
// effective bounds and targets, the schedules and fallback that apply — and the scaling conditions. Pure.
import type { ComponentName } from '../api/components.js';
import { autoscalingFor, componentReplicas, isAutoscaled, type EffectiveAutoscaling } from '../api/defaults.js';
import type { ComponentScalingStatus, Condition, KycPlatform, ScalingSchedule } from '../api/types.js';
import { fallbackPolicy, type FallbackPolicy } from '../scaling/fallback.js';
import { isOpen } from '../scaling/schedule.js';
import { conditionTone } from './format.js';
import type { Paint } from './paint.js';

export interface ScalingInputs {
  /** The spec's effective autoscaling settings (spec.autoscaling with the component's overrides and the defaults). */
  autoscaling: EffectiveAutoscaling;
  /** The replica count of a component that is not autoscaled. */
  fixedReplicas: number | undefined;
  /** The schedules that apply to the component; `open` at the time of the explanation (undefined: unknown time zone). */
  schedules: (ScalingSchedule & { open: boolean | undefined })[];
  fallback: FallbackPolicy | undefined;
}

export interface ComponentExplanation {
  component: ComponentName;
  /** status.scaling.<component>; undefined while the operator has recorded no decision. */
  decision: ComponentScalingStatus | undefined;
  inputs: ScalingInputs;
}

export interface ScalingExplanation {
  name: string;
  namespace: string;
  components: ComponentExplanation[];
  conditions: Condition[];
}

const SCALING_CONDITIONS = ['ScalingActive', 'ScalingDegraded'];

/** The explanation of each of `components` at `now` (the schedules' windows are evaluated then). */
export function explainScaling(platform: KycPlatform, components: readonly ComponentName[], now: Date): ScalingExplanation {
  const spec = platform.spec;
  return {
    name: platform.metadata.name,
    namespace: platform.metadata.namespace ?? '',
    components: components.map((component) => ({
      component,
      decision: platform.status?.scaling?.[component],
      inputs: {
        autoscaling: autoscalingFor(spec, component),
        fixedReplicas: isAutoscaled(spec, component) ? undefined : componentReplicas(spec, component),
        schedules: (spec.autoscaling?.schedules ?? [])
          .filter((s) => !s.components?.length || s.components.includes(component))
          .map((s) => ({ ...s, open: openAt(s, now) })),
        fallback: fallbackPolicy(spec, component),
      },
    })),
    conditions: (platform.status?.conditions ?? []).filter((c) => SCALING_CONDITIONS.includes(c.type)),
  };
}

export function formatExplanation(explanation: ScalingExplanation, paint: Paint): string {
  const lines: string[] = [paint('bold', `Scaling of KycPlatform ${explanation.namespace}/${explanation.name}`)];
  for (const { component, decision, inputs } of explanation.components) {
    lines.push('', `${paint('bold', component)}  ${decision ? (decision.mode ?? 'Unknown') : paint('busy', 'no decision recorded yet')}`);
    if (decision?.reason) lines.push(`  decision: ${decision.reason}`);
    if (decision) lines.push(`  replicas: ${replicasLine(decision)}`);
    for (const metric of decision?.metrics ?? []) {
      const asks = metric.replicas === undefined ? '' : ` → ${metric.replicas} replicas`;
      const value = metric.value === undefined ? paint('bad', 'unreadable') : metric.value;
      lines.push(
        `  metric ${metric.name ?? '?'}: ${value} against ${metric.target ?? '?'}${asks}${metric.message ? paint('muted', ` (${metric.message})`) : ''}`,
      );
    }
    if (decision?.fallback)
      lines.push(`  ${paint('bad', 'fallback in force')}: the metrics keep failing, the fallback replica count holds`);
    lines.push(`  inputs: ${inputsLine(inputs)}`);
    for (const s of inputs.schedules) {
      const days = s.days?.length ? s.days.join(',') : 'every day';
      const state = s.open === undefined ? paint('bad', 'unknown time zone') : s.open ? paint('busy', 'open now') : 'closed now';
      lines.push(`  schedule ${s.name}: ${days} ${s.start}–${s.end} ${s.timezone ?? 'UTC'} → min ${s.minReplicas} (${state})`);
    }
  }
  if (explanation.conditions.length) {
    lines.push('');
    for (const c of explanation.conditions) lines.push(`${paint(conditionTone(c), `${c.type}=${c.status}`)}  ${c.reason}: ${c.message}`);
  }
  return `${lines.join('\n')}\n`;
}

function replicasLine(d: ComponentScalingStatus): string {
  if (d.mode !== 'Autoscaled') return `${d.minReplicas ?? '?'} (fixed)`;
  return `min ${d.minReplicas ?? '?'}, max ${d.maxReplicas ?? '?'}, HPA current ${d.currentReplicas ?? '?'}, desired ${d.desiredReplicas ?? '?'}`;
}

function inputsLine(inputs: ScalingInputs): string {
  const a = inputs.autoscaling;
  if (inputs.fixedReplicas !== undefined) return `autoscaling off, spec replicas ${inputs.fixedReplicas}`;
  const parts = [
    `min ${a.minReplicas}, max ${a.maxReplicas}`,
    `CPU ${a.targetCPUUtilizationPercentage} %`,
    `memory ${a.targetMemoryUtilizationPercentage} %`,
    `scale-down stabilisation ${a.scaleDownStabilizationSeconds} s`,
  ];
  if (inputs.fallback) parts.push(`fallback ${inputs.fallback.replicas} after ${inputs.fallback.threshold} failures`);
  return parts.join(', ');
}

function openAt(schedule: ScalingSchedule, now: Date): boolean | undefined {
  try {
    return isOpen(schedule, now);
  } catch {
    return undefined; // an unknown time zone: the operator reports it in ScalingDegraded (InvalidSchedule)
  }
}
