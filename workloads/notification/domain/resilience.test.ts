import { describe, expect, it } from '@jest/globals';
import { CircuitBreaker, RetriesExhausted, backoffMs, retry } from './resilience.js';

describe('CircuitBreaker', () => {
  it('when failures reach the threshold, then it opens, lets one trial through after openMs, and a success closes it', () => {
    let now = 0;
    const breaker = new CircuitBreaker({ failureThreshold: 3, openMs: 1000 }, () => now);
    breaker.failed();
    breaker.failed();
    expect(breaker.allows()).toBe(true);
    breaker.failed();
    expect(breaker.state).toBe('open');
    expect(breaker.allows()).toBe(false);
    now = 1000;
    expect(breaker.state).toBe('half-open');
    expect(breaker.allows()).toBe(true);
    // Only one trial at a time.
    expect(breaker.allows()).toBe(false);
    breaker.succeeded();
    expect(breaker.state).toBe('closed');
    expect(breaker.allows()).toBe(true);
  });

  it('when the trial fails, then it opens again for openMs', () => {
    let now = 0;
    const breaker = new CircuitBreaker({ failureThreshold: 1, openMs: 1000 }, () => now);
    breaker.failed();
    now = 1500;
    expect(breaker.allows()).toBe(true);
    breaker.failed();
    expect(breaker.state).toBe('open');
    now = 2400;
    expect(breaker.allows()).toBe(false);
    now = 2500;
    expect(breaker.allows()).toBe(true);
  });

  it('a success between failures resets the count', () => {
    const breaker = new CircuitBreaker({ failureThreshold: 2, openMs: 1000 }, () => 0);
    breaker.failed();
    breaker.succeeded();
    breaker.failed();
    expect(breaker.state).toBe('closed');
  });
});

describe('retry', () => {
  const policy = { attempts: 3, baseDelayMs: 100, maxDelayMs: 250 };

  it('backs off exponentially with equal jitter, capped', () => {
    expect([1, 2, 3].map((n) => backoffMs(policy, n, () => 0))).toEqual([50, 100, 125]);
    expect([1, 2, 3].map((n) => backoffMs(policy, n, () => 1))).toEqual([100, 200, 250]);
  });

  it('when a try fails and a later one succeeds, then the value and the number of tries come back', async () => {
    const waits: number[] = [];
    let calls = 0;
    const outcome = await retry(
      () => (++calls < 3 ? Promise.reject(new Error('421 try later')) : Promise.resolve('ok')),
      policy,
      () => true,
      (ms) => {
        waits.push(ms);
        return Promise.resolve();
      },
    );
    expect(outcome).toEqual({ value: 'ok', tries: 3 });
    expect(waits).toHaveLength(2);
  });

  it('when every try fails, then RetriesExhausted carries the count and the last error', async () => {
    const failure = retry(
      () => Promise.reject(new Error('connection refused')),
      policy,
      () => true,
      () => Promise.resolve(),
    );
    await expect(failure).rejects.toThrow(RetriesExhausted);
    await expect(failure).rejects.toMatchObject({ tries: 3, message: 'failed after 3 tries: connection refused' });
  });

  it('when an error is not retryable, then it stops after that try', async () => {
    let calls = 0;
    const failure = retry(
      () => {
        calls += 1;
        return Promise.reject(new Error('no address'));
      },
      policy,
      () => false,
      () => Promise.resolve(),
    );
    await expect(failure).rejects.toMatchObject({ tries: 1 });
    expect(calls).toBe(1);
  });
});
