// The gateway's batched rate limiter against a real Redis: exact for one replica, close to exact across
// replicas sharing the key, windows reset, and local counts reach Redis.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BatchedRateLimiter, closeRedis, createRedis } from '../../../workloads/shared/index.js';
import type { Redis } from '../../../workloads/shared/index.js';
import { requireEnv, suffix } from './support.js';

describe('BatchedRateLimiter', () => {
  let redis: Redis;
  const limiters: BatchedRateLimiter[] = [];
  const limiter = (limit: number, windowMs: number): BatchedRateLimiter => {
    const created = new BatchedRateLimiter(redis, `test-${suffix()}`, limit, windowMs, { syncMs: 20 });
    limiters.push(created);
    return created;
  };

  beforeAll(() => {
    redis = createRedis(requireEnv('REDIS_URL'), { connectionName: 'rate-limit-test', keyPrefix: `test-${suffix()}:` });
  });

  afterAll(async () => {
    await Promise.all(limiters.map((l) => l.close()));
    await closeRedis(redis);
  });

  it('when one replica sees 300 hits against a limit of 200, then exactly 200 are allowed', async () => {
    const one = limiter(200, 60_000);
    const results = [];
    for (let i = 0; i < 300; i += 1) results.push(await one.hit('client-a'));
    expect(results.filter((r) => r.allowed)).toHaveLength(200);
    expect(results.slice(0, 200).every((r) => r.allowed)).toBe(true);
    expect(results[299]?.retryAfterSeconds).toBeGreaterThan(0);
  });

  it('when hits arrive concurrently, then the limit still holds for one replica', async () => {
    const one = limiter(100, 60_000);
    const results = await Promise.all(Array.from({ length: 250 }, () => one.hit('client-b')));
    expect(results.filter((r) => r.allowed)).toHaveLength(100);
  });

  it('when two replicas share a client, then together they allow the limit and at most a small batch more', async () => {
    const name = `shared-${suffix()}`;
    const a = new BatchedRateLimiter(redis, name, 400, 60_000, { syncMs: 20 });
    const b = new BatchedRateLimiter(redis, name, 400, 60_000, { syncMs: 20 });
    limiters.push(a, b);
    let allowed = 0;
    for (let i = 0; i < 400; i += 1) {
      if ((await a.hit('client-c')).allowed) allowed += 1;
      if ((await b.hit('client-c')).allowed) allowed += 1;
      if (i % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 30));
    }
    expect(allowed).toBeGreaterThanOrEqual(400);
    // Each replica admits at most maxPending (here 20) hits the other has not heard of yet.
    expect(allowed).toBeLessThanOrEqual(440);
  });

  it('when the window passes, then the client may go again; local counts reach Redis', async () => {
    const name = `window-${suffix()}`;
    const one = new BatchedRateLimiter(redis, name, 50, 1000, { syncMs: 20 });
    limiters.push(one);
    for (let i = 0; i < 20; i += 1) expect((await one.hit('client-d')).allowed).toBe(true);
    await one.flush();
    expect(Number(await redis.get(`rl:${name}:client-d`))).toBe(20);
    for (let i = 0; i < 40; i += 1) await one.hit('client-d');
    expect((await one.hit('client-d')).allowed).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 1200));
    expect((await one.hit('client-d')).allowed).toBe(true);
  });
});
