// The rate limiters against a real Redis: the batched one exact for one replica, close to exact across
// replicas sharing the key, windows reset, and local counts reach Redis; both limiters keep limiting
// (locally) when Redis is cut off mid-window, and go back to the shared count when it returns.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { BatchedRateLimiter, RateLimiter, closeRedis, createRedis } from '../../../workloads/shared/index.js';
import type { Redis } from '../../../workloads/shared/index.js';
import { eventually, requireEnv, suffix } from './support.js';
import { TcpProxy } from './tcp-proxy.js';

describe('BatchedRateLimiter', () => {
  let redis: Redis;
  const limiters: BatchedRateLimiter[] = [];
  const limiter = (limit: number, windowMs: number): BatchedRateLimiter => {
    const created = new BatchedRateLimiter(redis, `test-${suffix()}`, limit, windowMs, { syncMs: 20 });
    limiters.push(created);
    return created;
  };

  beforeAll(async () => {
    redis = createRedis(requireEnv('REDIS_URL'), { connectionName: 'rate-limit-test', keyPrefix: `test-${suffix()}:` });
    // Until the connection is ready (the TLS handshake and ready check take a moment) every limiter
    // counts locally, by design; these tests are about the shared count.
    await eventually(() => (redis.status === 'ready' ? true : undefined), 10_000, 20);
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
    // A hit Redis does not answer in time is counted locally (each replica alone, by design), which
    // this bound does not cover: record such fall-backs so a failure says which bound broke.
    const fallbacks: string[] = [];
    const onFallback = (error: unknown): void => void fallbacks.push(String(error));
    const a = new BatchedRateLimiter(redis, name, 400, 60_000, { syncMs: 20, onFallback });
    const b = new BatchedRateLimiter(redis, name, 400, 60_000, { syncMs: 20, onFallback });
    limiters.push(a, b);
    let allowed = 0;
    for (let i = 0; i < 400; i += 1) {
      if ((await a.hit('client-c')).allowed) allowed += 1;
      if ((await b.hit('client-c')).allowed) allowed += 1;
      if (i % 50 === 0) await new Promise((resolve) => setTimeout(resolve, 30));
    }
    expect(fallbacks).toEqual([]);
    expect(allowed).toBeGreaterThanOrEqual(400);
    // Each replica admits at most maxPending (here 20) hits the other has not heard of yet.
    expect(allowed).toBeLessThanOrEqual(440);
  });

  it('when the event loop stalls past the store timeout while Redis answers, then the answer counts, not a fall-back', async () => {
    const fallbacks: unknown[] = [];
    const exact = new RateLimiter(redis, `stall-${suffix()}`, 5, 60_000, {
      storeTimeoutMs: 50,
      onFallback: (error) => fallbacks.push(error),
    });
    // Started from the check phase, so the timers phase comes before the next poll. Redis answers
    // within a millisecond or two; the loop holds the event loop four timeouts long, so the timer and
    // the answer are both due when it ends.
    const result = await new Promise<Awaited<ReturnType<RateLimiter['hit']>>>((resolve, reject) =>
      setImmediate(() => {
        exact.hit('client-s').then(resolve, reject);
        const until = Date.now() + 200;
        while (Date.now() < until);
      }),
    );
    expect(fallbacks).toEqual([]);
    expect(result).toMatchObject({ allowed: true, count: 1 });
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

  it('when Redis is cut off mid-window, then both limiters still refuse past the limit (counted locally), and count in Redis again once it is back', async () => {
    const target = new URL(requireEnv('REDIS_URL'));
    const proxy = new TcpProxy(target.hostname, Number(target.port || 6379));
    await proxy.start();
    const proxied = new URL(target.toString());
    proxied.hostname = '127.0.0.1';
    proxied.port = String(proxy.port);
    const cutOff = createRedis(proxied.toString(), { connectionName: 'rate-limit-cut', keyPrefix: `test-${suffix()}:` });
    const name = `cut-${suffix()}`;
    const fallbacks: unknown[] = [];
    const exact = new RateLimiter(cutOff, `${name}-exact`, 10, 60_000, { onFallback: (error) => fallbacks.push(error) });
    const batched = new BatchedRateLimiter(cutOff, `${name}-batched`, 10, 60_000, { syncMs: 20 });
    try {
      await eventually(() => (cutOff.status === 'ready' ? true : undefined), 5000, 20);
      for (let i = 0; i < 3; i += 1) {
        expect((await exact.hit('attacker')).allowed).toBe(true);
        expect((await batched.hit('attacker')).allowed).toBe(true);
      }
      expect(fallbacks).toHaveLength(0);
      await proxy.stop();
      await eventually(() => (cutOff.status !== 'ready' ? true : undefined), 5000, 20);
      const started = Date.now();
      const whileCut = { exact: [] as boolean[], batched: [] as boolean[] };
      for (let i = 0; i < 15; i += 1) {
        whileCut.exact.push((await exact.hit('attacker')).allowed);
        whileCut.batched.push((await batched.hit('attacker')).allowed);
      }
      // The exact limiter's local window starts empty (at most one extra limit per outage); the batched
      // one starts from the count it last knew. Either way the limit holds, with no Redis at all.
      expect(whileCut.exact.filter(Boolean)).toHaveLength(10);
      expect(whileCut.exact.slice(-5)).toEqual([false, false, false, false, false]);
      expect(whileCut.batched.filter(Boolean)).toHaveLength(7);
      expect(whileCut.batched.slice(-5)).toEqual([false, false, false, false, false]);
      expect(fallbacks.length).toBeGreaterThanOrEqual(15);
      // No request waited for Redis.
      expect(Date.now() - started).toBeLessThan(2000);

      await proxy.start();
      await eventually(() => (cutOff.status === 'ready' ? true : undefined), 10_000, 50);
      const before = fallbacks.length;
      await exact.hit('someone-else');
      expect(fallbacks.length).toBe(before);
      expect(Number(await cutOff.get(`rl:${name}-exact:someone-else`))).toBe(1);
    } finally {
      await batched.close();
      await proxy.stop();
      cutOff.disconnect();
    }
  }, 30_000);
});
