// The stale-response cache: successful GETs from selected upstreams are kept in Redis per user and
// path, and served (marked with a Warning header) while that upstream is unavailable.
import { createHash } from 'node:crypto';
import type { Redis } from '../shared/index.js';

export interface CachedResponse {
  status: number;
  contentType: string | undefined;
  body: string;
  storedAt: number;
}

export class StaleCache {
  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds: number,
  ) {}

  private key(user: string, url: string): string {
    return `stale:${createHash('sha256').update(`${user}\u0000${url}`).digest('base64url')}`;
  }

  async put(user: string, url: string, response: Omit<CachedResponse, 'storedAt'>): Promise<void> {
    await this.redis.set(this.key(user, url), JSON.stringify({ ...response, storedAt: Date.now() }), 'EX', this.ttlSeconds);
  }

  async get(user: string, url: string): Promise<CachedResponse | undefined> {
    const raw = await this.redis.get(this.key(user, url));
    return raw === null ? undefined : (JSON.parse(raw) as CachedResponse);
  }
}
