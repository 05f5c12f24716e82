// Refresh tokens in Redis. A token is `<tokenId>.<secret>`; Redis keeps only a hash of the secret.
// Tokens belong to a family (one login). Refreshing marks the token used and issues the next one of
// the family; presenting a used token again means it was stolen or replayed, so the whole family is
// revoked. Logout revokes the family; a role change or a disabled account revokes every family of
// the user (a per-user set of family ids).
//
// A family has an absolute lifetime (`familyMaxSeconds`, from the login): past it a refresh fails even
// when each token in the chain was fresh, so a stolen refresh token cannot be kept alive by rotating
// it, and everyone signs in again at least that often. Each token's own life (`ttlSeconds`, the idle
// limit) never reaches past its family's end.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Redis } from '../../shared/index.js';
import type { Role } from '../../shared/roles.js';
import type { RefreshTokens, RotateResult } from '../domain/ports.js';

interface StoredToken {
  userId: string;
  role: Role;
  familyId: string;
  secretHash: string;
}

interface Family {
  userId: string;
  /** When the family's absolute lifetime ends (epoch ms). */
  endsAt: number;
}

const sha256 = (value: string): string => createHash('sha256').update(value).digest('base64url');

export function parseRefreshToken(token: string): { tokenId: string; secret: string } | undefined {
  const match = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/.exec(token);
  return match?.[1] && match[2] ? { tokenId: match[1], secret: match[2] } : undefined;
}

export class RefreshTokenStore implements RefreshTokens {
  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds: number,
    private readonly familyMaxSeconds: number,
  ) {}

  /** A new family (login) and its first token. */
  async issue(userId: string, role: Role, nowMs = Date.now()): Promise<{ token: string; familyId: string }> {
    const familyId = randomBytes(16).toString('base64url');
    const family: Family = { userId, endsAt: nowMs + this.familyMaxSeconds * 1000 };
    await this.redis
      .multi()
      .set(`rtf:${familyId}`, JSON.stringify(family), 'PX', this.familyMaxSeconds * 1000)
      .sadd(`rtfu:${userId}`, familyId)
      .expire(`rtfu:${userId}`, this.familyMaxSeconds)
      .exec();
    return { token: await this.issueInFamily({ userId, role, familyId }, family.endsAt, nowMs), familyId };
  }

  private async issueInFamily(owner: Omit<StoredToken, 'secretHash'>, familyEndsAt: number, nowMs: number): Promise<string> {
    const tokenId = randomBytes(16).toString('base64url');
    const secret = randomBytes(32).toString('base64url');
    const stored: StoredToken = { ...owner, secretHash: sha256(secret) };
    const lifeMs = Math.max(1, Math.min(this.ttlSeconds * 1000, familyEndsAt - nowMs));
    await this.redis.set(`rt:${tokenId}`, JSON.stringify(stored), 'PX', lifeMs);
    return `${tokenId}.${secret}`;
  }

  private async lookup(token: string): Promise<(StoredToken & { tokenId: string }) | undefined> {
    const parsed = parseRefreshToken(token);
    if (!parsed) return undefined;
    const raw = await this.redis.get(`rt:${parsed.tokenId}`);
    if (raw === null) return undefined;
    const stored = JSON.parse(raw) as StoredToken;
    const expected = Buffer.from(stored.secretHash);
    const actual = Buffer.from(sha256(parsed.secret));
    if (expected.length !== actual.length || !timingSafeEqual(expected, actual)) return undefined;
    return { ...stored, tokenId: parsed.tokenId };
  }

  private async family(familyId: string): Promise<Family | undefined> {
    const raw = await this.redis.get(`rtf:${familyId}`);
    return raw === null ? undefined : (JSON.parse(raw) as Family);
  }

  async rotate(token: string, nowMs = Date.now()): Promise<RotateResult> {
    const stored = await this.lookup(token);
    if (!stored) return { outcome: 'invalid' };
    const family = await this.family(stored.familyId);
    if (!family) return { outcome: 'invalid' };
    if (family.endsAt <= nowMs) {
      await this.revokeFamily(stored.familyId, stored.userId);
      return { outcome: 'expired', userId: stored.userId };
    }
    // SET NX on the "used" marker is the atomic step: of two concurrent refreshes only one wins.
    const first = await this.redis.set(`rtu:${stored.tokenId}`, '1', 'PX', Math.max(1, family.endsAt - nowMs), 'NX');
    if (first !== 'OK') {
      await this.revokeFamily(stored.familyId, stored.userId);
      return { outcome: 'reused', userId: stored.userId, familyId: stored.familyId };
    }
    const next = await this.issueInFamily({ userId: stored.userId, role: stored.role, familyId: stored.familyId }, family.endsAt, nowMs);
    return { outcome: 'rotated', token: next, userId: stored.userId, role: stored.role, familyId: stored.familyId };
  }

  /** Revokes the family of `token`; its family id when the token was known. */
  async revoke(token: string): Promise<{ familyId: string; userId: string } | undefined> {
    const stored = await this.lookup(token);
    if (!stored) return undefined;
    await this.revokeFamily(stored.familyId, stored.userId);
    return { familyId: stored.familyId, userId: stored.userId };
  }

  /** Revokes every family (login) of a user; their ids. */
  async revokeUser(userId: string): Promise<string[]> {
    const families = await this.redis.smembers(`rtfu:${userId}`);
    const transaction = this.redis.multi();
    for (const familyId of families) transaction.del(`rtf:${familyId}`);
    transaction.del(`rtfu:${userId}`);
    await transaction.exec();
    return families;
  }

  private async revokeFamily(familyId: string, userId: string): Promise<void> {
    await this.redis.multi().del(`rtf:${familyId}`).srem(`rtfu:${userId}`, familyId).exec();
  }
}
