import { describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import { BatchedRateLimiter, LocalWindows, RateLimiter } from './rate-limit.js';

describe('LocalWindows (the fallback while Redis is unreachable)', () => {
  it('allows the limit per window, then refuses with the time left, then opens a new window', () => {
    let now = 1_000_000;
    const local = new LocalWindows(3, 10_000, 100, () => now);
    expect([1, 2, 3, 4, 5].map(() => local.hit('a').allowed)).toEqual([true, true, true, false, false]);
    now += 4_000;
    expect(local.hit('a')).toMatchObject({ allowed: false, count: 6, retryAfterSeconds: 6 });
    expect(local.hit('b').allowed).toBe(true);
    now += 6_000;
    expect(local.hit('a')).toMatchObject({ allowed: true, count: 1 });
  });

  it('counts on from what is known elsewhere when that is more than its own window saw', () => {
    const local = new LocalWindows(10, 60_000, 100, () => 0);
    expect(local.hit('a', 1, 2)).toMatchObject({ allowed: true, count: 3 });
    // A later fall-back, after the shared count had reached 9: the old local window must not admit from 3.
    expect(local.hit('a', 1, 9)).toMatchObject({ allowed: true, count: 10 });
    expect(local.hit('a', 1, 9)).toMatchObject({ allowed: false, count: 11 });
  });

  it('remembers a bounded number of clients', () => {
    let now = 0;
    const local = new LocalWindows(1, 60_000, 50, () => now);
    for (let i = 0; i < 500; i += 1) local.hit(`client-${i}`);
    expect(local.size).toBeLessThanOrEqual(50);
    // The newest client is still counted.
    expect(local.hit('client-499').allowed).toBe(false);
    now += 60_000;
    local.hit('fresh');
    expect(local.size).toBeLessThanOrEqual(50);
  });
});

/** A Redis client that is not connected (what ioredis reports while Redis is down). */
const disconnected = { status: 'reconnecting' } as unknown as Redis;

describe('limiters without Redis', () => {
  it('RateLimiter counts locally instead of allowing everything, and says it fell back', async () => {
    const fallbacks: unknown[] = [];
    const limiter = new RateLimiter(disconnected, 'login', 5, 60_000, { onFallback: (error) => fallbacks.push(error) });
    const results = [];
    for (let i = 0; i < 8; i += 1) results.push(await limiter.hit('victim@example.com'));
    expect(results.map((r) => r.allowed)).toEqual([true, true, true, true, true, false, false, false]);
    expect(results[7]?.retryAfterSeconds).toBeGreaterThan(0);
    expect(fallbacks).toHaveLength(8);
  });

  it('BatchedRateLimiter counts locally instead of allowing everything', async () => {
    const limiter = new BatchedRateLimiter(disconnected, 'client', 10, 60_000, { syncMs: 1_000_000 });
    try {
      const results = await Promise.all(Array.from({ length: 25 }, () => limiter.hit('ip:203.0.113.9')));
      expect(results.filter((r) => r.allowed)).toHaveLength(10);
    } finally {
      await limiter.close();
    }
  });
});
