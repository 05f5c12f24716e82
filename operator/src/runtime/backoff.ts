// Exponential backoff shared by the work queue (per-item retries) and the informers (watch restarts).

export interface BackoffPolicy {
  /** Delay after the first failure, in milliseconds. */
  baseMs: number;
  /** Upper bound of any delay, in milliseconds. */
  maxMs: number;
}

/** The delay before retry number `failures` (1 = first retry): base * 2^(failures-1), capped. */
export function backoffDelay(policy: BackoffPolicy, failures: number): number {
  if (failures <= 0) return 0;
  // Cap the exponent so that 2^n never overflows into Infinity for long-failing items.
  const exponent = Math.min(failures - 1, 30);
  return Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
}

/** Counts consecutive failures and turns them into delays; `reset()` after a success. */
export class Backoff {
  private failures = 0;
  constructor(private readonly policy: BackoffPolicy) {}

  /** Records one more failure and returns how long to wait before trying again. */
  next(): number {
    this.failures += 1;
    return backoffDelay(this.policy, this.failures);
  }

  reset(): void {
    this.failures = 0;
  }

  get attempts(): number {
    return this.failures;
  }
}
