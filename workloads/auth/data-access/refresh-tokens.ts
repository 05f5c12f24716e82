// Refresh tokens in Redis. A token is `<tokenId>.<secret>`; Redis keeps only a hash of the secret.
// Tokens belong to a family (one login). Refreshing marks the token used and issues the next one of
// the family; presenting a used token again means it was stolen or replayed, so the whole family is
// revoked. Logout revokes the family.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Redis, Role } from '../../shared/index.js';

interface StoredToken {
  userId: string;
  role: Role;
  familyId: string;
  secretHash: string;
}

export type RotateResult =
  | { outcome: 'rotated'; token: string; userId: string; role: Role; familyId: string }
  | { outcome: 'invalid' }
  | { outcome: 'reused'; userId: string };

const sha256 = (value: string): string => createHash('sha256').update(value).digest('base64url');

export function parseRefreshToken(token: string): { tokenId: string; secret: string } | undefined {
  const match = /^([A-Za-z0-9_-]{22})\.([A-Za-z0-9_-]{43})$/.exec(token);
  return match?.[1] && match[2] ? { tokenId: match[1], secret: match[2] } : undefined;
}

export class RefreshTokenStore {
  constructor(
    private readonly redis: Redis,
    private readonly ttlSeconds: number,
  ) {}

  /** A new family (login) and its first token. */
  async issue(userId: string, role: Role): Promise<string> {
    const familyId = randomBytes(16).toString('base64url');
    await this.redis.set(`rtf:${familyId}`, userId, 'EX', this.ttlSeconds);
    return this.issueInFamily({ userId, role, familyId });
  }

  private async issueInFamily(owner: Omit<StoredToken, 'secretHash'>): Promise<string> {
    const tokenId = randomBytes(16).toString('base64url');
    const secret = randomBytes(32).toString('base64url');
    const stored: StoredToken = { ...owner, secretHash: sha256(secret) };
    await this.redis
      .multi()
      .set(`rt:${tokenId}`, JSON.stringify(stored), 'EX', this.ttlSeconds)
      .expire(`rtf:${owner.familyId}`, this.ttlSeconds)
      .exec();
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

  async rotate(token: string): Promise<RotateResult> {
    const stored = await this.lookup(token);
    if (!stored) return { outcome: 'invalid' };
    if ((await this.redis.exists(`rtf:${stored.familyId}`)) === 0) return { outcome: 'invalid' };
    // SET NX on the "used" marker is the atomic step: of two concurrent refreshes only one wins.
    const first = await this.redis.set(`rtu:${stored.tokenId}`, '1', 'EX', this.ttlSeconds, 'NX');
    if (first !== 'OK') {
      await this.revokeFamily(stored.familyId);
      return { outcome: 'reused', userId: stored.userId };
    }
    const next = await this.issueInFamily({ userId: stored.userId, role: stored.role, familyId: stored.familyId });
    return { outcome: 'rotated', token: next, userId: stored.userId, role: stored.role, familyId: stored.familyId };
  }

  /** Revokes the family of `token`; true when the token was known. */
  async revoke(token: string): Promise<boolean> {
    const stored = await this.lookup(token);
    if (!stored) return false;
    await this.revokeFamily(stored.familyId);
    return true;
  }

  private async revokeFamily(familyId: string): Promise<void> {
    await this.redis.del(`rtf:${familyId}`);
  }
}
