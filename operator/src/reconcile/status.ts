// The platform's status, computed in memory from the observed Deployments (pure; written once per
// pass by the reconciler, and only when it changed).
import type { ComponentName } from '../api/components.js';
import { setCondition } from '../api/conditions.js';
import type { ComponentStatus, Condition, KycPlatform, KycPlatformStatus } from '../api/types.js';
import { componentReady, componentStatus as renderedComponentStatus, type DeploymentLike } from '../api/observed.js';
import { stableStringify } from '../runtime/hash.js';

/** The fields of a live Deployment the status reads: the same view the render helpers decide from. */
export type DeploymentView = DeploymentLike;

export interface ObservedComponent {
  name: ComponentName;
  /** The live Deployment, or undefined when it does not exist (yet). */
  deployment: DeploymentView | undefined;
}

export interface Problem {
  reason: string;
  message: string;
}

/** The status fields the reconciler owns (others, e.g. release, belong to later controllers). */
export type OwnedStatus = Required<
  Pick<KycPlatformStatus, 'observedGeneration' | 'phase' | 'conditions' | 'components' | 'readyComponents'>
> &
  Pick<KycPlatformStatus, 'activeVersion' | 'featureFlags' | 'degradationMode' | 'backup' | 'certificates'>;

export const CONDITION_READY = 'Ready';
export const CONDITION_PROGRESSING = 'Progressing';
export const CONDITION_DEGRADED = 'Degraded';
/** Production only: whether the platform Secret passed the checks of reconcile/secrets.ts. */
export const CONDITION_SECRETS_VERIFIED = 'SecretsVerified';
export const REASON_INSECURE_SECRETS = 'InsecureSecrets';

/** Replica counts of a component; zeros while its Deployment does not exist. */
export function componentStatus(deployment: DeploymentView | undefined): Required<ComponentStatus> {
  if (!deployment) return { desired: 0, ready: 0, updated: 0, available: 0 };
  return renderedComponentStatus(deployment);
}

/** A Deployment has finished rolling out (the renderer's definition, shared with its tests). */
export function isRolledOut(deployment: DeploymentView | undefined): boolean {
  return deployment ? componentReady(deployment) : false;
}

/** Why a Deployment cannot make progress on its own, if it cannot. */
export function deploymentProblem(deployment: DeploymentView | undefined): Problem | undefined {
  for (const condition of deployment?.status?.conditions ?? []) {
    if (condition.type === 'Progressing' && condition.status === 'False' && condition.reason === 'ProgressDeadlineExceeded') {
      return { reason: 'ProgressDeadlineExceeded', message: condition.message ?? 'rollout exceeded its progress deadline' };
    }
    if (condition.type === 'ReplicaFailure' && condition.status === 'True') {
      return { reason: 'ReplicaFailure', message: condition.message ?? 'pods cannot be created' };
    }
  }
  return undefined;
}

export function computeStatus(
  platform: KycPlatform,
  components: readonly ObservedComponent[],
  applyProblem: Problem | undefined,
  now: Date,
): OwnedStatus {
  const previous = platform.status;
  const generation = platform.metadata.generation ?? 0;
  const perComponent: Partial<Record<ComponentName, ComponentStatus>> = {};
  const waiting: string[] = [];
  const problems: string[] = [];
  let problemReason: string | undefined;
  let readyCount = 0;
  for (const { name, deployment } of components) {
    const status = componentStatus(deployment);
    perComponent[name] = status;
    if (isRolledOut(deployment)) readyCount += 1;
    else waiting.push(`${name} (${status.available}/${status.desired} available, ${status.updated} updated)`);
    const problem = deploymentProblem(deployment);
    if (problem) {
      problemReason ??= problem.reason;
      problems.push(`${name}: ${problem.message}`);
    }
  }
  const total = components.length;
  const allReady = readyCount === total && !applyProblem;
  const degraded: Problem | undefined =
    applyProblem ?? (problemReason ? { reason: problemReason, message: problems.join('; ') } : undefined);
  const anyObserved = components.some((c) => c.deployment !== undefined);

  const ready = setCondition(
    previous?.conditions,
    allReady
      ? {
          type: CONDITION_READY,
          status: 'True',
          observedGeneration: generation,
          reason: 'AllComponentsReady',
          message: `${readyCount}/${total} components ready at version ${platform.spec.version}`,
        }
      : {
          type: CONDITION_READY,
          status: 'False',
          observedGeneration: generation,
          reason: applyProblem ? applyProblem.reason : 'ComponentsNotReady',
          message: applyProblem ? applyProblem.message : `waiting for ${waiting.join(', ')}`,
        },
    now,
  );
  const progressing = setCondition(
    previous?.conditions,
    allReady
      ? {
          type: CONDITION_PROGRESSING,
          status: 'False',
          observedGeneration: generation,
          reason: 'RolloutComplete',
          message: `version ${platform.spec.version} is rolled out`,
        }
      : degraded
        ? {
            type: CONDITION_PROGRESSING,
            status: 'False',
            observedGeneration: generation,
            reason: degraded.reason,
            message: 'rollout is blocked; see the Degraded condition',
          }
        : {
            type: CONDITION_PROGRESSING,
            status: 'True',
            observedGeneration: generation,
            reason: 'RollingOut',
            message: `rolling out version ${platform.spec.version}: ${readyCount}/${total} components ready`,
          },
    now,
  );
  const degradedCondition = setCondition(
    previous?.conditions,
    degraded
      ? { type: CONDITION_DEGRADED, status: 'True', observedGeneration: generation, reason: degraded.reason, message: degraded.message }
      : { type: CONDITION_DEGRADED, status: 'False', observedGeneration: generation, reason: 'AsExpected', message: 'no problems found' },
    now,
  );
  const phase: OwnedStatus['phase'] = degraded ? 'Degraded' : allReady ? 'Ready' : anyObserved ? 'Progressing' : 'Pending';
  const status: OwnedStatus = {
    observedGeneration: generation,
    phase,
    conditions: [ready, progressing, degradedCondition],
    components: perComponent,
    readyComponents: `${readyCount}/${total}`,
  };
  const activeVersion = allReady ? platform.spec.version : previous?.activeVersion;
  if (activeVersion !== undefined) status.activeVersion = activeVersion;
  return status;
}

/** True when the live status already says what `next` says (the fields the reconciler owns). */
export function statusUpToDate(previous: KycPlatformStatus | undefined, next: OwnedStatus): boolean {
  if (!previous) return false;
  const ownedKeys = Object.keys(next) as (keyof OwnedStatus)[];
  const current: Record<string, unknown> = {};
  for (const key of ownedKeys) current[key] = previous[key];
  return stableStringify(current) === stableStringify(next);
}

export function conditionOf(status: Pick<KycPlatformStatus, 'conditions'> | undefined, type: string): Condition | undefined {
  return status?.conditions?.find((c) => c.type === type);
}

/** The SecretsVerified condition of a production platform whose Secret passed the checks. */
export function secretsVerifiedCondition(platform: KycPlatform, secretName: string, now: Date): Condition {
  return setCondition(
    platform.status?.conditions,
    {
      type: CONDITION_SECRETS_VERIFIED,
      status: 'True',
      observedGeneration: platform.metadata.generation ?? 0,
      reason: 'SecretsAccepted',
      message: `Secret ${secretName} passed the production checks (no sample, all-zero or wrong-length key, admin password of 12 or more characters)`,
    },
    now,
  );
}

/**
 * The status while the operator refuses the platform Secret: every other field (release, scaling, the
 * component counts) stays as it was, since nothing was rolled; Ready, Progressing and Degraded say why,
 * SecretsVerified is False, and the phase is Failed until the Secret changes.
 */
export function refusedStatus(platform: KycPlatform, message: string, now: Date): KycPlatformStatus {
  const previous = platform.status ?? {};
  const observedGeneration = platform.metadata.generation ?? 0;
  const reason = REASON_INSECURE_SECRETS;
  const replaced = [CONDITION_READY, CONDITION_PROGRESSING, CONDITION_DEGRADED, CONDITION_SECRETS_VERIFIED];
  const conditions = [
    setCondition(previous.conditions, { type: CONDITION_READY, status: 'False', observedGeneration, reason, message }, now),
    setCondition(
      previous.conditions,
      {
        type: CONDITION_PROGRESSING,
        status: 'False',
        observedGeneration,
        reason,
        message: 'nothing is rolled out while the platform Secret is refused; see SecretsVerified',
      },
      now,
    ),
    setCondition(previous.conditions, { type: CONDITION_DEGRADED, status: 'True', observedGeneration, reason, message }, now),
    setCondition(previous.conditions, { type: CONDITION_SECRETS_VERIFIED, status: 'False', observedGeneration, reason, message }, now),
    ...(previous.conditions ?? []).filter((c) => !replaced.includes(c.type)),
  ];
  return { ...previous, observedGeneration, phase: 'Failed', conditions };
}
