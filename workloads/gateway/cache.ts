// The stale-response cache: successful GETs from selected upstreams are kept in Redis per user and
// path, and served (marked with a Warning header) while that upstream is unavailable.
import { hash } from 'node:crypto';
import type { Redis } from '../shared/index.js';

export interface CachedResponse {
  status: number;
  contentType: string | undefined;
  body: string;
  storedAt: number;
}

export class StaleCache {
  // What this process last wrote per key: an unchanged body is not rewritten for REWRITE_MS, which
  // keeps a hot GET from costing a Redis write per request.
  private readonly written = new Map<string, { digest: string; at: number }>();
  private static readonly REWRITE_MS = 30_000;

  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds: number,
  ) {}

  private key(user: string, url: string): string {
    return `stale:${hash('sha256', `${user}\u0000${url}`, 'base64url')}`;
  }

  async put(user: string, url: string, response: Omit<CachedResponse, 'storedAt'>): Promise<void> {
    const key = this.key(user, url);
    const digest = hash('sha1', response.body, 'base64');
    const now = Date.now();
    const last = this.written.get(key);
    if (last && last.digest === digest && now - last.at < StaleCache.REWRITE_MS) return;
    if (this.written.size > 50_000) this.written.clear();
    this.written.set(key, { digest, at: now });
    await this.redis.set(key, JSON.stringify({ ...response, storedAt: now }), 'EX', this.ttlSeconds);
  }

  async get(user: string, url: string): Promise<CachedResponse | undefined> {
    const raw = await this.redis.get(this.key(user, url));
    return raw === null ? undefined : (JSON.parse(raw) as CachedResponse);
  }
}
