// Fixed-window rate limits in Redis (INCR + PEXPIRE in one round trip), shared by every replica.
import type { Redis } from 'ioredis';

export interface RateLimitResult {
  allowed: boolean;
  count: number;
  limit: number;
  /** Seconds until the window resets. */
  retryAfterSeconds: number;
}

export class RateLimiter {
  constructor(
    private readonly redis: Redis,
    private readonly name: string,
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  async hit(id: string): Promise<RateLimitResult> {
    const key = `rl:${this.name}:${id}`;
    const results = await this.redis.multi().incr(key).pexpire(key, this.windowMs, 'NX').pttl(key).exec();
    const count = Number(results?.[0]?.[1] ?? 0);
    const ttl = Number(results?.[2]?.[1] ?? this.windowMs);
    return { allowed: count <= this.limit, count, limit: this.limit, retryAfterSeconds: Math.max(1, Math.ceil((ttl > 0 ? ttl : this.windowMs) / 1000)) };
  }

  async reset(id: string): Promise<void> {
    await this.redis.del(`rl:${this.name}:${id}`);
  }
}
