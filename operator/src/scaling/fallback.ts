// The failure policy of one metric source: after `threshold` consecutive failed reads the component
// falls back to a declared replica count; the first good read ends the fallback. Pure state machine.
import type { ComponentName } from '../api/components.js';
import type { KycPlatformSpec } from '../api/types.js';

/** Consecutive failures before a fallback, when the spec declares none (the CRD default). */
export const DEFAULT_FAILURE_THRESHOLD = 3;

export interface FallbackPolicy {
  threshold: number;
  replicas: number;
}

/** The component's fallback, else the platform's; undefined when neither declares one. */
export function fallbackPolicy(spec: KycPlatformSpec, component: ComponentName): FallbackPolicy | undefined {
  const declared = spec.components?.[component]?.autoscaling?.fallback ?? spec.autoscaling?.fallback;
  return declared ? { threshold: declared.failureThreshold ?? DEFAULT_FAILURE_THRESHOLD, replicas: declared.replicas } : undefined;
}

export type Transition = 'failed' | 'fallback' | 'recovered' | undefined;

export interface FailureState {
  consecutiveFailures: number;
  /** True from the threshold-th consecutive failure until the next success. */
  inFallback: boolean;
  lastError: string | undefined;
}

export const HEALTHY: FailureState = { consecutiveFailures: 0, inFallback: false, lastError: undefined };

/**
 * The next state after one read, and the transition worth an Event: `failed` when the source starts
 * failing (first failure), `fallback` when the failures reach the threshold, `recovered` when a read
 * succeeds after failures.
 */
export function afterRead(
  state: FailureState,
  outcome: { ok: true } | { ok: false; error: string },
  threshold: number,
): { state: FailureState; transition: Transition } {
  if (outcome.ok) {
    return { state: HEALTHY, transition: state.consecutiveFailures > 0 ? 'recovered' : undefined };
  }
  const consecutiveFailures = state.consecutiveFailures + 1;
  return {
    state: { consecutiveFailures, inFallback: consecutiveFailures >= threshold, lastError: outcome.error },
    transition: consecutiveFailures === threshold ? 'fallback' : state.consecutiveFailures === 0 ? 'failed' : undefined,
  };
}
