// How a platform moves to a new version, as one reconcile pass sees it. The reconciler runs the same
// sequence for every platform — plan, render, apply what goes first, apply the rest, compute the status,
// write it, finish — and the rollout strategy says what each step means: in place (one Deployment per
// component, rolled by Kubernetes: rollout-inplace.ts) or blue-green (two colours and a switch of the
// Services, docs/operator.md: rollout-bluegreen.ts over release/controller.ts).
import type { KycPlatform } from '../api/types.js';
import type { KubeResource } from '../runtime/kube.js';
import type { ObservedComponent, OwnedStatus } from './status.js';

export type RolloutPlatform = KycPlatform & KubeResource;

/** A Deployment of this pass by name, as applied (or found unchanged); undefined when it could not be. */
export type LiveDeployment = (name: string) => KubeResource | undefined;

/** One pass of a rollout: what the strategy decided for this platform now, bound to it. */
export interface RolloutPass {
  /** What the render depends on besides the platform's spec and metadata (the render cache's stamp). */
  readonly renderStamp: unknown;
  /** When the strategy wants the platform looked at again, whatever its readiness (a timed step). */
  readonly requeueAfterMs: number | undefined;
  /** Turns renderPlatform's output into the objects this pass wants to exist. */
  render(base: KubeResource[]): KubeResource[];
  /** The objects applied before all others in this pass (they must land first, e.g. a switch of Services). */
  firstInPass(desired: readonly KubeResource[]): KubeResource[];
  /** firstInPass's objects are applied: the moment a switch takes effect, before the rest of the pass. */
  firstApplied(): void;
  /** The Deployments whose readiness is the platform's. */
  components(desired: readonly KubeResource[], live: LiveDeployment): ObservedComponent[];
  /** The platform as the status computation should see it (the version it really runs). */
  statusView(platform: RolloutPlatform): RolloutPlatform;
  /** The computed status with what the strategy reports added (its phase, conditions). */
  status(computed: OwnedStatus, now: Date): OwnedStatus;
  /** After the status is written: the strategy's Events and follow-up work. */
  finish(): Promise<void>;
}

export interface RolloutStrategy {
  /** Decides this pass for the platform (before anything is rendered); may throw on a spec it rejects. */
  plan(key: string, platform: RolloutPlatform, now: Date): RolloutPass;
}
