// The stale-response cache: successful GETs of routes without personal data, from selected
// upstreams, are kept in Redis per user and path, and served (marked with a Warning header) while that
// upstream is unavailable. What may be stored is decided by `mayStore` below.
import { hash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { Redis } from '../shared/index.js';

/**
 * Whether an upstream answer may go into the stale cache. Never for a route that can carry personal
 * data (the route table's `personal`: application views, documents, the review queue, notifications,
 * accounts) — the cache sits in clear in a shared Redis for minutes, see routes.ts. Never when the
 * upstream said `no-store` or `private` (RFC 9111: a shared cache must not keep them; this cache is
 * shared by every gateway replica). Never for a body that is not the whole answer (only 200s).
 */
export function mayStore(route: { personal: boolean }, method: string, status: number, headers: IncomingHttpHeaders): boolean {
  if (route.personal || method !== 'GET' || status !== 200) return false;
  const directives = (headers['cache-control'] ?? '')
    .toLowerCase()
    .split(',')
    .map((d) => d.trim().split('=')[0]);
  return !directives.includes('no-store') && !directives.includes('private');
}

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
