// metav1.Condition bookkeeping shared by every status writer (platform, scaling, release).
import type { Condition } from './types.js';
import { rfc3339 } from './time.js';

/** A condition keeps its lastTransitionTime unless its status changed. */
export function setCondition(
  previous: readonly Condition[] | undefined,
  next: Omit<Condition, 'lastTransitionTime'>,
  now: Date,
): Condition {
  const old = previous?.find((c) => c.type === next.type);
  const lastTransitionTime = old && old.status === next.status ? old.lastTransitionTime : rfc3339(now);
  return { ...next, lastTransitionTime };
}
