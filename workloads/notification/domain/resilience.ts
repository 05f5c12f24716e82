// What stands between the notifier and a delivery provider (docs/notifications.md, "Failures"): a
// circuit breaker that stops calling a provider that keeps failing, and retries with exponential
// backoff for one message. The notifier decides what a failure means (dead letter, or the event
// delivered again later); these two only count and wait.

export interface BreakerOptions {
  /** Consecutive failures that open the breaker. */
  failureThreshold: number;
  /** How long it stays open before one trial call is let through (half-open). */
  openMs: number;
}

export type BreakerState = 'closed' | 'open' | 'half-open';

export class CircuitBreaker {
  private failures = 0;
  private openedAt: number | undefined;
  private trialUnderWay = false;

  constructor(
    private readonly options: BreakerOptions,
    private readonly now: () => number = Date.now,
  ) {}

  get state(): BreakerState {
    if (this.openedAt === undefined) return 'closed';
    return this.now() - this.openedAt >= this.options.openMs ? 'half-open' : 'open';
  }

  /** May a call go out now? Half-open lets one trial through at a time; its outcome closes or reopens. */
  allows(): boolean {
    const state = this.state;
    if (state === 'closed') return true;
    if (state === 'open' || this.trialUnderWay) return false;
    this.trialUnderWay = true;
    return true;
  }

  succeeded(): void {
    this.failures = 0;
    this.openedAt = undefined;
    this.trialUnderWay = false;
  }

  failed(): void {
    this.failures += 1;
    // A failed trial reopens at once; a closed breaker opens at the threshold.
    if (this.trialUnderWay || this.failures >= this.options.failureThreshold) this.openedAt = this.now();
    this.trialUnderWay = false;
  }
}

export interface RetryPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

/**
 * The wait before try `n + 1` after try `n` failed: exponential from baseDelayMs, capped at maxDelayMs,
 * with "equal jitter" (half fixed, half random) so that many senders that failed together do not retry
 * together.
 */
export function backoffMs(policy: RetryPolicy, failedTry: number, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (failedTry - 1));
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

export interface RetryOutcome<T> {
  value: T;
  tries: number;
}

/** Thrown by `retry` when every try failed or a try failed with an error it must not retry. */
export class RetriesExhausted extends Error {
  constructor(
    readonly tries: number,
    readonly last: unknown,
  ) {
    super(`failed after ${tries} ${tries === 1 ? 'try' : 'tries'}: ${(last as Error)?.message ?? String(last)}`, { cause: last });
    this.name = 'RetriesExhausted';
  }
}

/** Calls `attempt` until it succeeds, `policy.attempts` tries have failed, or `retryable` says no. */
export async function retry<T>(
  attempt: () => Promise<T>,
  policy: RetryPolicy,
  retryable: (error: unknown) => boolean,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
): Promise<RetryOutcome<T>> {
  for (let tries = 1; ; tries += 1) {
    try {
      return { value: await attempt(), tries };
    } catch (error) {
      if (tries >= policy.attempts || !retryable(error)) throw new RetriesExhausted(tries, error);
      await sleep(backoffMs(policy, tries));
    }
  }
}
