// The shared revocation list of access tokens. Access tokens are verified locally by every service, so
// a logout or a role change must reach every verifier, within seconds, without a call per request:
//
//   auth ──ZADD──▶ Redis sorted set <platform prefix>revocations (score = when revoked, ms)
//        └─PUBLISH─▶ channel <platform prefix>revocations ──▶ every verifier applies it at once
//   every verifier ──ZRANGE BYSCORE (since its last pull) every AUTH_REVOCATION_SYNC_SECONDS──▶ catches
//        what a lost pub/sub message or a reconnect missed; at start it reads the whole list
//
// Entries: a token id (`jti`, logout of the presented token), a login (`sid`, a refresh family:
// logout, refresh-token reuse), or a user cut-off (`user`: every token of the user issued before the
// cut-off, for role changes and disabled accounts). Each carries `until`, when the last token it can
// concern expires; verifiers forget it then, and auth trims the set by age (RETENTION_MS, longer than
// the longest access-token life), so the list holds only what can still matter.
//
// The key and channel use the platform's REDIS_KEY_PREFIX (not a service's `auth:`/`gw:` suffix): every
// service of the platform reads the same list.
//
// When Redis is down, verifiers keep the last list they had and go on verifying tokens (availability
// of every service does not hang on Redis). What that can miss is a revocation made during the outage
// — but auth cannot record one then either (logout and role changes need Redis and answer 503), so the
// gap is at most what was revoked in the seconds before the outage and not yet pulled. Once Redis is
// back, the next pull (and the re-subscription ioredis makes on reconnect) brings the list up to date.
import type { Redis } from 'ioredis';
import type { Logger } from './logger.js';

export const REVOCATIONS_KEY = 'revocations';
/** Longer than the longest access-token life (AUTH_ACCESS_TTL_SECONDS is at most 3600 s). */
export const RETENTION_MS = 2 * 3600 * 1000;
/** Each pull re-reads this much before its last high-water mark: writers' clocks may differ a little. */
const PULL_OVERLAP_MS = 30_000;

export type Revocation =
  | { kind: 'jti'; id: string; until: number }
  | { kind: 'sid'; id: string; until: number }
  | { kind: 'user'; id: string; cutoff: number; until: number };

/** What a verifier knows of a token (times in ms). */
export interface RevocableToken {
  jti: string | undefined;
  sid: string | undefined;
  sub: string;
  issuedAtMs: number;
}

export interface RevocationCheck {
  isRevoked(token: RevocableToken, nowMs: number): boolean;
}

function decode(member: string): Revocation | undefined {
  try {
    const value = JSON.parse(member) as Record<string, unknown>;
    const { kind, id, until, cutoff } = value;
    if (typeof id !== 'string' || id.length === 0 || id.length > 200 || typeof until !== 'number') return undefined;
    if (kind === 'jti' || kind === 'sid') return { kind, id, until };
    if (kind === 'user' && typeof cutoff === 'number') return { kind, id, cutoff, until };
    return undefined;
  } catch {
    return undefined;
  }
}

export interface RevocationListOptions {
  /** Commands (ZADD, ZRANGE, PUBLISH); a client without a key prefix. */
  redis: Redis;
  /** A second connection for SUBSCRIBE (a subscribed connection can run nothing else); none = pull only. */
  subscriber?: Redis;
  /** The platform's REDIS_KEY_PREFIX. */
  prefix: string;
  syncMs: number;
  logger: Logger;
}

export class RevocationList implements RevocationCheck {
  private readonly jtis = new Map<string, number>();
  private readonly sids = new Map<string, number>();
  private readonly users = new Map<string, { cutoff: number; until: number }>();
  private readonly key: string;
  private highWater = 0;
  private pulledOnce = false;
  private timer: NodeJS.Timeout | undefined;
  private pulling: Promise<void> | undefined;
  private healthy = true;

  constructor(private readonly options: RevocationListOptions) {
    this.key = `${options.prefix}${REVOCATIONS_KEY}`;
  }

  /** Subscribes and pulls the current list; failures are logged (the timer keeps trying). */
  async start(): Promise<void> {
    const { subscriber } = this.options;
    if (subscriber) {
      subscriber.on('message', (channel: string, message: string) => {
        if (channel === this.key) this.apply(message);
      });
      // After a reconnect ioredis subscribes again; pull what was published while it was away.
      subscriber.on('ready', () => void this.pull());
      await subscriber
        .subscribe(this.key)
        .catch((error: unknown) => this.options.logger.warn({ err: error }, 'could not subscribe to token revocations; pulling only'));
    }
    await this.pull();
    this.timer = setInterval(() => void this.pull(), this.options.syncMs);
    this.timer.unref();
  }

  isRevoked(token: RevocableToken, nowMs: number): boolean {
    if (token.jti !== undefined) {
      const until = this.jtis.get(token.jti);
      if (until !== undefined && until > nowMs) return true;
    }
    if (token.sid !== undefined) {
      const until = this.sids.get(token.sid);
      if (until !== undefined && until > nowMs) return true;
    }
    const user = this.users.get(token.sub);
    return user !== undefined && user.until > nowMs && token.issuedAtMs < user.cutoff;
  }

  /** Records revocations in Redis, tells every verifier, and applies them here at once. */
  async revoke(entries: readonly Revocation[], nowMs = Date.now()): Promise<void> {
    if (entries.length === 0) return;
    const members = entries.map((entry) => JSON.stringify(entry));
    const transaction = this.options.redis.multi();
    for (const member of members) transaction.zadd(this.key, nowMs, member);
    transaction.zremrangebyscore(this.key, '-inf', nowMs - RETENTION_MS);
    for (const member of members) transaction.publish(this.key, member);
    const results = await transaction.exec();
    const failed = results?.find(([error]) => error);
    if (!results || failed) throw failed?.[0] ?? new Error('the revocation was not recorded');
    for (const member of members) this.apply(member);
  }

  /** Reads what was added since the last pull (everything still relevant on the first one). */
  pull(): Promise<void> {
    if (this.pulling) return this.pulling;
    const now = Date.now();
    const since = this.pulledOnce ? this.highWater - PULL_OVERLAP_MS : now - RETENTION_MS;
    this.pulling = this.options.redis
      .zrangebyscore(this.key, since, '+inf', 'WITHSCORES')
      .then((reply) => {
        for (let i = 0; i + 1 < reply.length; i += 2) {
          this.apply(reply[i] as string);
          this.highWater = Math.max(this.highWater, Number(reply[i + 1]));
        }
        if (!this.pulledOnce) this.highWater = Math.max(this.highWater, now - PULL_OVERLAP_MS);
        this.pulledOnce = true;
        this.forgetExpired(Date.now());
        if (!this.healthy) this.options.logger.info('token revocations reachable again');
        this.healthy = true;
      })
      .catch((error: unknown) => {
        if (this.healthy) this.options.logger.warn({ err: error }, 'could not read token revocations; keeping the last known list');
        this.healthy = false;
      })
      .finally(() => {
        this.pulling = undefined;
      });
    return this.pulling;
  }

  private apply(member: string): void {
    const entry = decode(member);
    if (!entry) return;
    if (entry.kind === 'jti') this.jtis.set(entry.id, Math.max(entry.until, this.jtis.get(entry.id) ?? 0));
    else if (entry.kind === 'sid') this.sids.set(entry.id, Math.max(entry.until, this.sids.get(entry.id) ?? 0));
    else {
      const known = this.users.get(entry.id);
      this.users.set(entry.id, { cutoff: Math.max(entry.cutoff, known?.cutoff ?? 0), until: Math.max(entry.until, known?.until ?? 0) });
    }
  }

  private forgetExpired(nowMs: number): void {
    for (const [id, until] of this.jtis) if (until <= nowMs) this.jtis.delete(id);
    for (const [id, until] of this.sids) if (until <= nowMs) this.sids.delete(id);
    for (const [id, user] of this.users) if (user.until <= nowMs) this.users.delete(id);
  }

  /** Whether the last pull reached Redis (for /health: revocations may be stale when false). */
  get upToDate(): boolean {
    return this.healthy && this.pulledOnce;
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
