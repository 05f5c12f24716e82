// Fixed-window rate limits in Redis (INCR + PEXPIRE in one round trip), shared by every replica.
//
// When Redis cannot be reached the limits do not go away: each process counts the same windows
// locally (`LocalWindows`) until Redis answers again. A limiter that allowed everything while Redis
// was down turned "stop Redis" (or just overload it) into "no brute-force protection"; local counting
// keeps the limit per replica, i.e. at most replicas × limit platform-wide, which is still a limit.
import type { Redis } from 'ioredis';

export interface RateLimitResult {
  allowed: boolean;
  count: number;
  limit: number;
  /** Seconds until the window resets. */
  retryAfterSeconds: number;
}

export interface FallbackOptions {
  /** Longest wait for Redis before a hit is counted locally instead (default 500 ms). */
  storeTimeoutMs?: number;
  /** Called when a hit is counted locally because Redis failed (for a log line or a metric). */
  onFallback?: (error: unknown) => void;
  /** Clients remembered by the local counter at most (default 100 000). */
  maxLocalClients?: number;
  now?: () => number;
}

/**
 * The same fixed windows, counted in this process only: the fallback while Redis is unreachable.
 * Memory is bounded: expired windows are dropped, and past `maxClients` the oldest client goes first.
 */
export class LocalWindows {
  private readonly windows = new Map<string, { count: number; windowEnd: number }>();

  constructor(
    readonly limit: number,
    readonly windowMs: number,
    private readonly maxClients = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * Counts `weight` hits from at least `carried` (hits already known from elsewhere): a window made
   * at an earlier fall-back must not count on from what was known then — under load one slow Redis
   * answer after another would each admit hits the shared count had already spent.
   */
  hit(id: string, weight = 1, carried = 0): RateLimitResult {
    const now = this.now();
    let window = this.windows.get(id);
    if (!window || window.windowEnd <= now) {
      if (this.windows.size >= this.maxClients) this.evict(now);
      window = { count: carried, windowEnd: now + this.windowMs };
      this.windows.set(id, window);
    }
    window.count = Math.max(window.count, carried) + weight;
    return {
      allowed: window.count <= this.limit,
      count: window.count,
      limit: this.limit,
      retryAfterSeconds: Math.max(1, Math.ceil((window.windowEnd - now) / 1000)),
    };
  }

  reset(id: string): void {
    this.windows.delete(id);
  }

  get size(): number {
    return this.windows.size;
  }

  private evict(now: number): void {
    for (const [id, window] of this.windows) if (window.windowEnd <= now) this.windows.delete(id);
    // Still full: the oldest windows go (Map keeps insertion order).
    for (const id of this.windows.keys()) {
      if (this.windows.size < this.maxClients) break;
      this.windows.delete(id);
    }
  }
}

/** Redis, unless it is not connected or does not answer within `ms`. */
async function withinTime<T>(redis: Redis, ms: number, work: () => Promise<T>): Promise<T> {
  // Not connected: do not queue behind a reconnect (each request would wait for it).
  if (redis.status !== 'ready') throw new Error(`redis is ${redis.status}`);
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      work(),
      new Promise<never>((_, reject) => {
        // The rejection waits one turn of the loop (setImmediate runs after the poll phase): after a
        // stall of the event loop (a long GC, a busy request) the timer and Redis' answer are due at
        // once, and timers run first — an answer already in the socket must win, not count as late.
        timer = setTimeout(() => setImmediate(() => reject(new Error(`redis did not answer within ${ms} ms`))), ms);
      }),
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export class RateLimiter {
  private readonly local: LocalWindows;
  private readonly storeTimeoutMs: number;
  private readonly onFallback: (error: unknown) => void;

  constructor(
    private readonly redis: Redis,
    private readonly name: string,
    readonly limit: number,
    readonly windowMs: number,
    options: FallbackOptions = {},
  ) {
    this.local = new LocalWindows(limit, windowMs, options.maxLocalClients, options.now);
    this.storeTimeoutMs = options.storeTimeoutMs ?? 500;
    this.onFallback = options.onFallback ?? (() => undefined);
  }

  /** Counts a hit; never rejects (Redis failures fall back to local counting). */
  async hit(id: string): Promise<RateLimitResult> {
    const key = `rl:${this.name}:${id}`;
    try {
      const results = await withinTime(this.redis, this.storeTimeoutMs, () =>
        this.redis.multi().incr(key).pexpire(key, this.windowMs, 'NX').pttl(key).exec(),
      );
      const count = Number(results?.[0]?.[1] ?? 0);
      const ttl = Number(results?.[2]?.[1] ?? this.windowMs);
      return {
        allowed: count <= this.limit,
        count,
        limit: this.limit,
        retryAfterSeconds: Math.max(1, Math.ceil((ttl > 0 ? ttl : this.windowMs) / 1000)),
      };
    } catch (error) {
      this.onFallback(error);
      return this.local.hit(id);
    }
  }

  async reset(id: string): Promise<void> {
    this.local.reset(id);
    await this.redis.del(`rl:${this.name}:${id}`);
  }
}

/**
 * The same fixed-window limit, shared through the same Redis keys, without a Redis round trip on most
 * requests. Far from the limit a hit is counted locally and the local counts go to Redis in one
 * pipeline every `syncMs`; each sync also brings back the window's global count. Close to the limit
 * (within `margin` of it), after `maxPending` unsynced hits, or when this process knows nothing of
 * the client's current window, a hit goes to Redis synchronously, exactly as `RateLimiter.hit` does.
 * A client already over the limit in the current window is refused locally.
 *
 * The limit stays exact per replica; across replicas it can be overshot by at most what the other
 * replicas admitted locally since their last sync (bounded by `maxPending` each).
 */
export class BatchedRateLimiter {
  private readonly clients = new Map<string, { windowEnd: number; known: number; pending: number }>();
  private readonly timer: NodeJS.Timeout;
  private readonly margin: number;
  private readonly maxPending: number;
  private flushing: Promise<void> | undefined;
  private readonly local: LocalWindows;
  private readonly storeTimeoutMs: number;
  private readonly onFallback: (error: unknown) => void;

  constructor(
    private readonly redis: Redis,
    private readonly name: string,
    readonly limit: number,
    readonly windowMs: number,
    options: { syncMs?: number; margin?: number; maxPending?: number } & FallbackOptions = {},
  ) {
    this.local = new LocalWindows(limit, windowMs, options.maxLocalClients, options.now);
    this.storeTimeoutMs = options.storeTimeoutMs ?? 500;
    this.onFallback = options.onFallback ?? (() => undefined);
    this.margin = options.margin ?? Math.max(1, Math.ceil(limit / 10));
    this.maxPending = options.maxPending ?? Math.max(1, Math.min(200, Math.floor(limit / 20)));
    this.timer = setInterval(() => void this.flush().catch(() => undefined), options.syncMs ?? 100);
    this.timer.unref();
  }

  private key(id: string): string {
    return `rl:${this.name}:${id}`;
  }

  async hit(id: string): Promise<RateLimitResult> {
    const now = Date.now();
    const state = this.clients.get(id);
    // Redis away: no local fast path either (its hits would never be synced, and each failed flush
    // would make room for more), only the local windows.
    if (this.redis.status !== 'ready') return this.countLocally(id, now, new Error(`redis is ${this.redis.status}`));
    if (state && now < state.windowEnd) {
      const retryAfterSeconds = Math.max(1, Math.ceil((state.windowEnd - now) / 1000));
      if (state.known >= this.limit) return { allowed: false, count: state.known + state.pending, limit: this.limit, retryAfterSeconds };
      const projected = state.known + state.pending + 1;
      if (projected <= this.limit - this.margin && state.pending < this.maxPending) {
        state.pending += 1;
        return { allowed: true, count: projected, limit: this.limit, retryAfterSeconds };
      }
    }
    try {
      return await this.sync(id, 1, now);
    } catch (error) {
      return this.countLocally(id, now, error);
    }
  }

  /** Redis is down or slow: this replica counts on its own, from what it last knew of the client. */
  private countLocally(id: string, now: number, error: unknown): RateLimitResult {
    this.onFallback(error);
    const state = this.clients.get(id);
    return this.local.hit(id, 1, state && now < state.windowEnd ? state.known + state.pending : 0);
  }

  /** Sends this client's unsynced hits plus `extra` and learns the global count. */
  private async sync(id: string, extra: number, now: number): Promise<RateLimitResult> {
    const state = this.clients.get(id);
    const pending = state && now < state.windowEnd ? state.pending : 0;
    if (state) state.pending = 0;
    const key = this.key(id);
    let results: Awaited<ReturnType<ReturnType<Redis['multi']>['exec']>>;
    try {
      results = await withinTime(this.redis, this.storeTimeoutMs, () =>
        this.redis
          .multi()
          .incrby(key, pending + extra)
          .pexpire(key, this.windowMs, 'NX')
          .pttl(key)
          .exec(),
      );
    } catch (error) {
      // Not sent: the hits stay pending (they still count locally and go to Redis later).
      const current = this.clients.get(id);
      if (current) current.pending += pending;
      throw error;
    }
    const count = Number(results?.[0]?.[1] ?? 0);
    const pttl = Number(results?.[2]?.[1] ?? this.windowMs);
    const ttl = pttl > 0 ? pttl : this.windowMs;
    const current = this.clients.get(id);
    // Hits admitted locally while this round trip was under way stay pending for the next sync.
    const windowEnd = Date.now() + ttl;
    if (current && current.windowEnd > now)
      this.clients.set(id, { windowEnd, known: Math.max(count, current.known), pending: current.pending });
    else this.clients.set(id, { windowEnd, known: count, pending: current?.pending ?? 0 });
    if (this.clients.size > 100_000) this.prune(Date.now());
    return { allowed: count <= this.limit, count, limit: this.limit, retryAfterSeconds: Math.max(1, Math.ceil(ttl / 1000)) };
  }

  /** Sends every client's unsynced hits (one pipeline) and refreshes their global counts. */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    const now = Date.now();
    this.prune(now);
    // Nothing queues behind a reconnect: the hits stay pending until Redis is back.
    if (this.redis.status !== 'ready') return Promise.resolve();
    const due = [...this.clients].filter(([, state]) => state.pending > 0 && now < state.windowEnd);
    if (due.length === 0) return Promise.resolve();
    const pipeline = this.redis.pipeline();
    const sent = due.map(([, state]) => state.pending);
    for (const [id, state] of due) {
      const key = this.key(id);
      pipeline.incrby(key, state.pending).pexpire(key, this.windowMs, 'NX').pttl(key);
      state.pending = 0;
    }
    this.flushing = pipeline
      .exec()
      .then((results) => {
        due.forEach(([id], index) => {
          const count = Number(results?.[index * 3]?.[1] ?? 0);
          const pttl = Number(results?.[index * 3 + 2]?.[1] ?? this.windowMs);
          const state = this.clients.get(id);
          if (state) {
            state.known = Math.max(state.known, count);
            state.windowEnd = Date.now() + (pttl > 0 ? pttl : this.windowMs);
          }
        });
      })
      .catch((error: unknown) => {
        // Lost on the way: the hits are pending again, for the next flush.
        due.forEach(([id], index) => {
          const state = this.clients.get(id);
          if (state) state.pending += sent[index] ?? 0;
        });
        throw error;
      })
      .finally(() => {
        this.flushing = undefined;
      });
    return this.flushing;
  }

  private prune(now: number): void {
    for (const [id, state] of this.clients) if (state.windowEnd <= now) this.clients.delete(id);
  }

  /** Stops the sync timer after sending what is pending. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush().catch(() => undefined);
  }

  async reset(id: string): Promise<void> {
    this.clients.delete(id);
    this.local.reset(id);
    await this.redis.del(this.key(id));
  }
}
