// Failed-login backoff in Redis, per account and client address (see domain/backoff.ts for why). The
// key is a hash of both: neither an email address nor a client address sits in Redis in clear.
// Redis errors propagate: the login then answers 503 before any password is checked, so an outage
// never turns into unlimited guessing (nor into a way to tell a right password from a wrong one).
import { createHash } from 'node:crypto';
import type { Redis } from '../../shared/index.js';
import { backoffDelayMs } from '../domain/backoff.js';
import type { FailedLogins } from '../domain/ports.js';

export interface BackoffSettings {
  baseMs: number;
  maxMs: number;
  /** Failures are forgotten this long after the last one. */
  memorySeconds: number;
}

export class LoginBackoff implements FailedLogins {
  constructor(
    private readonly redis: Redis,
    private readonly settings: BackoffSettings,
  ) {}

  private key(account: string, address: string): string {
    return `lb:${createHash('sha256').update(`${account.toLowerCase()}\u0000${address}`).digest('base64url')}`;
  }

  /** Milliseconds this account+address must still wait (0 = may try). */
  async waitMs(account: string, address: string): Promise<number> {
    const ttl = await this.redis.pttl(`${this.key(account, address)}:wait`);
    return ttl > 0 ? ttl : 0;
  }

  /** Records a failure; returns the delay now imposed. */
  async failed(account: string, address: string): Promise<number> {
    const key = this.key(account, address);
    const results = await this.redis.multi().incr(key).expire(key, this.settings.memorySeconds).exec();
    const failures = Number(results?.[0]?.[1] ?? 1);
    const delay = backoffDelayMs(failures, this.settings.baseMs, this.settings.maxMs);
    await this.redis.set(`${key}:wait`, '1', 'PX', delay);
    return delay;
  }

  async succeeded(account: string, address: string): Promise<void> {
    const key = this.key(account, address);
    await this.redis.del(key, `${key}:wait`);
  }
}
