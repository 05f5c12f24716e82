import { describe, expect, it } from '@jest/globals';
import type { Redis } from 'ioredis';
import { createLogger, memoryDestination } from './logger.js';
import { RevocationList } from './revocation.js';

/** Just enough of a Redis for the list: a sorted set and a transaction that records what it was asked. */
function fakeRedis(): { redis: Redis; members: Array<[number, string]>; published: string[] } {
  const members: Array<[number, string]> = [];
  const published: string[] = [];
  const transaction = {
    zadd(_key: string, score: number, member: string) {
      members.push([score, member]);
      return transaction;
    },
    zremrangebyscore() {
      return transaction;
    },
    publish(_channel: string, message: string) {
      published.push(message);
      return transaction;
    },
    exec: () => Promise.resolve([[null, 1]]),
  };
  const redis = {
    multi: () => transaction,
    zrangebyscore: (_key: string, min: number) =>
      Promise.resolve(members.filter(([score]) => score >= min).flatMap(([score, member]) => [member, String(score)])),
  } as unknown as Redis;
  return { redis, members, published };
}

const logger = createLogger({ component: 'test', level: 'silent', destination: memoryDestination() });
const token = (extra: Partial<{ jti: string; sid: string; sub: string; issuedAtMs: number }>) => ({
  jti: undefined,
  sid: undefined,
  sub: 'u1',
  issuedAtMs: 0,
  ...extra,
});

describe('RevocationList', () => {
  it('refuses a revoked jti or sid until its token would have expired anyway', async () => {
    const { redis, published } = fakeRedis();
    const list = new RevocationList({ redis, prefix: 'p:', syncMs: 60_000, logger });
    const now = 1_000_000;
    await list.revoke(
      [
        { kind: 'jti', id: 't1', until: now + 1000 },
        { kind: 'sid', id: 'login1', until: now + 1000 },
      ],
      now,
    );
    expect(published).toHaveLength(2);
    expect(list.isRevoked(token({ jti: 't1' }), now)).toBe(true);
    expect(list.isRevoked(token({ sid: 'login1' }), now)).toBe(true);
    expect(list.isRevoked(token({ jti: 't2', sid: 'login2' }), now)).toBe(false);
    expect(list.isRevoked(token({ jti: 't1' }), now + 1000)).toBe(false);
  });

  it("cuts off a user's tokens issued before a role change, not those issued after it", async () => {
    const { redis } = fakeRedis();
    const list = new RevocationList({ redis, prefix: 'p:', syncMs: 60_000, logger });
    const cutoff = 5_000_000;
    await list.revoke([{ kind: 'user', id: 'u1', cutoff, until: cutoff + 900_000 }], cutoff);
    expect(list.isRevoked(token({ issuedAtMs: cutoff - 1 }), cutoff + 10)).toBe(true);
    expect(list.isRevoked(token({ issuedAtMs: cutoff + 1 }), cutoff + 10)).toBe(false);
    expect(list.isRevoked(token({ sub: 'u2', issuedAtMs: cutoff - 1 }), cutoff + 10)).toBe(false);
  });

  it('learns what another process revoked on its next pull, and ignores malformed entries', async () => {
    const shared = fakeRedis();
    const writer = new RevocationList({ redis: shared.redis, prefix: 'p:', syncMs: 60_000, logger });
    const reader = new RevocationList({ redis: shared.redis, prefix: 'p:', syncMs: 60_000, logger });
    await reader.pull();
    const now = Date.now();
    await writer.revoke([{ kind: 'jti', id: 'elsewhere', until: now + 60_000 }], now);
    shared.members.push([now, 'not json'], [now, '{"kind":"jti"}']);
    expect(reader.isRevoked(token({ jti: 'elsewhere' }), now)).toBe(false);
    await reader.pull();
    expect(reader.isRevoked(token({ jti: 'elsewhere' }), now)).toBe(true);
    expect(reader.upToDate).toBe(true);
  });
});
