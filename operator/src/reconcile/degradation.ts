// What the platform's pods say about their dependencies, and the mode an admin forced, folded into the
// Degraded condition (pure; docs/api.md "Degradation"). The pods' detailed /health (metrics port,
// docs/workload-contract.md) reports database, cache and externalAPIs per pod; pod-health.ts reads them.
//
//   rollout problem (ApplyFailed, ProgressDeadlineExceeded, ...)  → kept as it is: it blocks the release
//   a dependency down in some pod                                  → Degraded True, DependencyUnavailable,
//                                                                    naming dependency, components, pods and
//                                                                    what is reduced; phase Degraded
//   spec.degradation.mode ReadOnly / Maintenance                   → Degraded True, ReadOnlyMode /
//                                                                    MaintenanceMode; phase unchanged (a
//                                                                    forced mode is a decision, not a fault)
//   otherwise                                                      → as computeStatus left it
//
// A pod that did not answer is not counted: readiness and the Deployment's counts already report it, and a
// pod that cannot be reached says nothing about PostgreSQL.
import type { ComponentName } from '../api/components.js';
import { setCondition } from '../api/conditions.js';
import type { DegradationMode } from '../api/defaults.js';
import { CONDITION_DEGRADED, type OwnedStatus, type Problem } from './status.js';

/** The checks of /health (docs/workload-contract.md) and the dependency each one watches. */
export const HEALTH_CHECK_DEPENDENCY = { database: 'postgres', cache: 'redis', externalAPIs: 'kafka' } as const;
export type HealthCheckName = keyof typeof HEALTH_CHECK_DEPENDENCY;
export type DependencyName = (typeof HEALTH_CHECK_DEPENDENCY)[HealthCheckName] | 'upstreams';

/** The gateway consumes nothing: its externalAPIs is an upstream's breaker open (workloads/gateway/main.ts). */
function dependencyOf(component: ComponentName, check: HealthCheckName): DependencyName {
  return component === 'gateway' && check === 'externalAPIs' ? 'upstreams' : HEALTH_CHECK_DEPENDENCY[check];
}

/** What each dependency being away reduces (the services' behaviour, docs/api.md "Degradation"). */
export const DEPENDENCY_REDUCES: Readonly<Record<DependencyName, string>> = {
  postgres: 'writes refused with 503 + Retry-After, reads that need the database too',
  redis: 'rate limits counted per pod, sessions still verified',
  kafka: 'events wait in the outbox and are delivered when it is back',
  upstreams: 'requests to an upstream whose breaker is open answer 503 + Retry-After, or a stale copy where allowed',
};

export const REASON_DEPENDENCY_UNAVAILABLE = 'DependencyUnavailable';
export const REASON_FOR_MODE: Readonly<Record<Exclude<DegradationMode, 'Normal'>, string>> = {
  ReadOnly: 'ReadOnlyMode',
  Maintenance: 'MaintenanceMode',
};
const MODE_REDUCES: Readonly<Record<Exclude<DegradationMode, 'Normal'>, string>> = {
  ReadOnly: 'every API write refused with 503 + Retry-After, reads served',
  Maintenance: 'every API request refused with 503 + Retry-After except GET /api/v1/status',
};

/** One pod's answer: its checks, or undefined when it did not answer (timeout, refused, not JSON). */
export interface PodHealth {
  component: ComponentName;
  pod: string;
  checks: Partial<Record<HealthCheckName, 'OK' | 'ERROR'>> | undefined;
}

/** Which dependency is down for which components, worded for the Degraded condition; undefined when none. */
export function dependencyProblem(pods: readonly PodHealth[]): Problem | undefined {
  const answered = new Map<ComponentName, number>();
  const down = new Map<DependencyName, Map<ComponentName, number>>();
  for (const { component, checks } of pods) {
    if (!checks) continue;
    answered.set(component, (answered.get(component) ?? 0) + 1);
    for (const check of Object.keys(HEALTH_CHECK_DEPENDENCY) as HealthCheckName[]) {
      if (checks[check] !== 'ERROR') continue;
      const dependency = dependencyOf(component, check);
      const byComponent = down.get(dependency) ?? new Map<ComponentName, number>();
      byComponent.set(component, (byComponent.get(component) ?? 0) + 1);
      down.set(dependency, byComponent);
    }
  }
  if (down.size === 0) return undefined;
  const parts = [...down.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([dependency, byComponent]) => {
      const where = [...byComponent.entries()]
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([component, count]) => `${component} (${count}/${answered.get(component) ?? count} pods)`)
        .join(', ');
      return `${dependency} unreachable from ${where}: ${DEPENDENCY_REDUCES[dependency]}`;
    });
  return { reason: REASON_DEPENDENCY_UNAVAILABLE, message: parts.join('; ') };
}

/** The mode an admin forced, as a Degraded problem; undefined for Normal. */
export function modeProblem(mode: DegradationMode): Problem | undefined {
  if (mode === 'Normal') return undefined;
  return { reason: REASON_FOR_MODE[mode], message: `spec.degradation.mode is ${mode}: ${MODE_REDUCES[mode]}` };
}

/**
 * The status with the Degraded condition (and phase) saying what the pods and the forced mode say, unless
 * a rollout problem already holds it. `pods` undefined: nothing was observed this pass (the health is
 * read at most every few seconds), so the last dependency verdict in `previous` stands.
 */
export function withDegradation(
  status: OwnedStatus,
  mode: DegradationMode,
  pods: readonly PodHealth[] | undefined,
  previous: OwnedStatus['conditions'] | undefined,
  now: Date,
): OwnedStatus {
  const current = status.conditions.find((c) => c.type === CONDITION_DEGRADED);
  if (current?.status === 'True') return status;
  const lastDependency = previous?.find(
    (c) => c.type === CONDITION_DEGRADED && c.status === 'True' && c.reason === REASON_DEPENDENCY_UNAVAILABLE,
  );
  const dependency = pods
    ? dependencyProblem(pods)
    : lastDependency && { reason: lastDependency.reason, message: lastDependency.message.split(' | ')[0] ?? '' };
  const forced = modeProblem(mode);
  if (!dependency && !forced) return status;
  // Both: the fault names the condition, the forced mode follows in the message.
  const problem = dependency
    ? { reason: dependency.reason, message: forced ? `${dependency.message} | ${forced.message}` : dependency.message }
    : (forced as Problem);
  const degraded = setCondition(
    previous,
    {
      type: CONDITION_DEGRADED,
      status: 'True',
      observedGeneration: status.observedGeneration,
      reason: problem.reason,
      message: problem.message,
    },
    now,
  );
  return {
    ...status,
    phase: dependency && status.phase === 'Ready' ? 'Degraded' : status.phase,
    conditions: status.conditions.map((c) => (c.type === CONDITION_DEGRADED ? degraded : c)),
  };
}
