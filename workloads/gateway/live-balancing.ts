// spec.loadBalancing while the gateway runs (docs/workloads.md, "Load balancing"): the operator writes it to the
// live settings (`loadBalancing` in the platform ConfigMap's live-settings.json, only when it is not the default),
// and the gateway swaps every upstream's policy within a second or two of the file changing — no pod restarts.
//
// The section is parsed with the rest of the document (../shared/live-settings.ts): a bad one keeps the whole
// last good document in force, said in a log line and in kyc_live_settings_rejected_total. Absent (no file, an
// older operator, or the default settings): LB_STRATEGY and LB_STICKY_SESSIONS, whose defaults are the spec's
// (round-robin, not sticky); that is also how a gateway run outside the operator is set (make platform).
import { STRATEGIES } from './balancer.js';
import type { BalancingPolicy, Strategy } from './balancer.js';

/** The key of the section in the live-settings document. */
export const LOAD_BALANCING_SECTION = 'loadBalancing';

/** `{"strategy": "...", "stickySessions": true|false}` as the operator writes it; throws with what is wrong. */
export function parseLoadBalancing(value: unknown): BalancingPolicy {
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new Error('must be an object with strategy and stickySessions');
  const { strategy, stickySessions = false } = value as { strategy?: unknown; stickySessions?: unknown };
  // An unknown strategy is refused, not guessed: the last good one stays (a newer operator's strategy this
  // gateway cannot run must not silently become round robin).
  if (typeof strategy !== 'string' || !(STRATEGIES as readonly string[]).includes(strategy))
    throw new Error(`strategy must be one of ${STRATEGIES.join(', ')}`);
  if (typeof stickySessions !== 'boolean') throw new Error('stickySessions must be true or false');
  return Object.freeze({ strategy: strategy as Strategy, sticky: stickySessions });
}

/** What the gateway needs of the live settings: the section in force and its changes. */
export interface SectionSource {
  section(key: string): unknown;
  onSectionChange(key: string, listener: (value: unknown) => void): void;
}

/**
 * The policy in force now (the section, else `fallback`), handed to `apply` at once and after every change.
 * The values are parsed already (the live settings ran parseLoadBalancing on them).
 */
export function followLoadBalancing(
  live: SectionSource,
  fallback: BalancingPolicy,
  apply: (policy: BalancingPolicy, previous: BalancingPolicy | undefined) => void,
): void {
  const policyOf = (value: unknown): BalancingPolicy => (value as BalancingPolicy | undefined) ?? fallback;
  let current = policyOf(live.section(LOAD_BALANCING_SECTION));
  apply(current, undefined);
  live.onSectionChange(LOAD_BALANCING_SECTION, (value) => {
    const next = policyOf(value);
    if (next.strategy === current.strategy && next.sticky === current.sticky) return;
    const previous = current;
    current = next;
    apply(next, previous);
  });
}
