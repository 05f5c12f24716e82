import { describe, expect, it } from '@jest/globals';
import { Backoff, backoffDelay } from './backoff.js';

describe('backoffDelay', () => {
  const policy = { baseMs: 100, maxMs: 5_000 };

  it('doubles from the base delay on every failure', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(policy, n))).toEqual([100, 200, 400, 800]);
  });

  it('never exceeds the cap, even after very many failures', () => {
    expect(backoffDelay(policy, 7)).toBe(5_000);
    expect(backoffDelay(policy, 10_000)).toBe(5_000);
  });

  it('does not wait before the first attempt', () => {
    expect(backoffDelay(policy, 0)).toBe(0);
  });
});

describe('Backoff', () => {
  it('grows with consecutive failures and starts over after reset', () => {
    const backoff = new Backoff({ baseMs: 10, maxMs: 1_000 });
    expect(backoff.next()).toBe(10);
    expect(backoff.next()).toBe(20);
    expect(backoff.attempts).toBe(2);
    backoff.reset();
    expect(backoff.next()).toBe(10);
  });
});
