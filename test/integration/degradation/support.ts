// What the degradation suites check of a steady load run through a dependency's fault.
import { expect } from '@jest/globals';
import { TEMPORARILY_UNAVAILABLE } from '../../../workloads/shared/problem.js';
import type { SteadyLoad } from '../../support/steady-load.js';

/** The gateway's upstream timeout (BREAKER_TIMEOUT_MS default, docs/workloads.md). */
export const GATEWAY_TIMEOUT_MS = 3000;

/**
 * Every answer but `served` is a 503 temporarily-unavailable with Retry-After, none slower than the
 * gateway's timeout; the fault was felt (a 503 during it) and the service came back by itself (only
 * `served` after it).
 */
export function expectOnly503sWithinTheTimeout(load: SteadyLoad<unknown>, served: number): void {
  const failures = load.outcomes.filter((o) => o.status !== served);
  expect(failures.filter((o) => o.status !== 503)).toEqual([]);
  for (const failure of failures) {
    expect(failure.retryAfter).toMatch(/^[1-9][0-9]*$/);
    expect(failure.problemType).toBe(TEMPORARILY_UNAVAILABLE);
  }
  expect(Math.max(...load.outcomes.map((o) => o.latencyMs))).toBeLessThan(GATEWAY_TIMEOUT_MS);
  expect(load.outcomes.filter((o) => o.phase === 'fault' && o.status === 503).length).toBeGreaterThan(0);
  const after = load.outcomes.filter((o) => o.phase === 'after');
  expect(after.length).toBeGreaterThan(0);
  expect(after.filter((o) => o.status !== served)).toEqual([]);
}
