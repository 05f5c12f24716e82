// What the platform reconciler asks of scaling, in three calls per pass: `plan` (the schedule floors
// to render the HPAs with, and when to look again), `observe` (tell the metric engine what to read)
// and `status` (the scaling status and conditions). All clock reads come from the caller's `now`.
import type { ComponentName } from '../api/components.js';
import { autoscalingFor, desiredComponentNames } from '../api/defaults.js';
import type { KycPlatform } from '../api/types.js';
import type { ScalingEngine } from './engine.js';
import { componentMetrics } from '../api/metrics.js';
import { msUntilNextMinute, scheduleFloor, type ScheduleFloor } from './schedule.js';
import { computeScalingStatus, type HpaView, type ScalingStatus } from './status.js';

export interface ScalingPlan {
  floors: Partial<Record<ComponentName, ScheduleFloor>>;
  /** The HPA minReplicas floor per component (only components with an open window). */
  minReplicasFloor: Partial<Record<ComponentName, number>>;
  /**
   * Look again at the next minute boundary while the platform has schedules, and every
   * METRICS_STATUS_REFRESH_MS while it has custom metrics (their readings in the status).
   */
  requeueAfterMs: number | undefined;
  /** Changes whenever the floors change: part of the render cache key. */
  stamp: string;
}

export const METRICS_STATUS_REFRESH_MS = 30_000;

export function planScaling(platform: KycPlatform, now: Date): ScalingPlan {
  const schedules = platform.spec.autoscaling?.schedules;
  const floors: ScalingPlan['floors'] = {};
  const minReplicasFloor: ScalingPlan['minReplicasFloor'] = {};
  let hasMetrics = false;
  for (const component of desiredComponentNames(platform.spec)) {
    if (!autoscalingFor(platform.spec, component).enabled) continue;
    if (componentMetrics(platform, component).length > 0) hasMetrics = true;
    const floor = scheduleFloor(schedules, component, now);
    floors[component] = floor;
    if (floor.minReplicas !== undefined) minReplicasFloor[component] = floor.minReplicas;
  }
  return {
    floors,
    minReplicasFloor,
    requeueAfterMs: schedules && schedules.length > 0 ? msUntilNextMinute(now) : hasMetrics ? METRICS_STATUS_REFRESH_MS : undefined,
    stamp: JSON.stringify(minReplicasFloor),
  };
}

export interface ObservedScaling {
  /** Deployment spec.replicas per component. */
  deploymentReplicas: Partial<Record<ComponentName, number>>;
  hpas: Partial<Record<ComponentName, HpaView>>;
}

export class ScalingController {
  /**
   * `externalMetricsOwner`: the Service holding external.metrics.k8s.io when another server does, as
   * last read (reconcile/external-metrics-owner.ts); undefined while it is this operator's or nobody's.
   */
  constructor(
    private readonly engine: ScalingEngine | undefined,
    private readonly externalMetricsOwner: () => string | undefined = () => undefined,
  ) {}

  plan(platform: KycPlatform, now: Date): ScalingPlan {
    return planScaling(platform, now);
  }

  /** `kedaMissing`: the platform's provider is keda and KEDA's CRD is not in the cluster (reconcile/keda.ts). */
  status(key: string, platform: KycPlatform, plan: ScalingPlan, observed: ObservedScaling, kedaMissing = false): ScalingStatus {
    this.engine?.sync(key, platform, observed.deploymentReplicas);
    return computeScalingStatus(
      platform,
      desiredComponentNames(platform.spec).map((name) => ({
        name,
        hpa: observed.hpas[name],
        deploymentReplicas: observed.deploymentReplicas[name],
        readings: this.engine?.readings(key, name) ?? [],
        schedule: plan.floors[name] ?? { minReplicas: undefined, open: [], invalid: [] },
      })),
      { externalMetricsOwner: this.externalMetricsOwner(), kedaMissing },
    );
  }

  forget(key: string): void {
    this.engine?.forget(key);
  }
}
