// Redis with ioredis: fail fast when Redis is down (callers degrade), reconnect in the background.
import { Redis } from 'ioredis';
import { redisTls, storesTlsFromEnv, type StoreTls } from './store-tls.js';

export type { Redis } from 'ioredis';

export function createRedis(
  url: string,
  /** tls: TLS to Redis (store-tls.ts); absent: REDIS_TLS and REDIS_CA_FILE from the environment. */
  options: { connectionName?: string; keyPrefix?: string; tls?: StoreTls } = {},
): Redis {
  // A redis:// URL while TLS is required throws here, before any connection: the program does not start.
  const tls = redisTls(url, options.tls ?? storesTlsFromEnv().redis);
  const redis = new Redis(url, {
    ...(tls ? { tls } : {}),
    connectionName: options.connectionName,
    // Every key this client touches gets the prefix (tests and platforms sharing one Redis stay apart).
    keyPrefix: options.keyPrefix ?? '',
    maxRetriesPerRequest: 1,
    enableOfflineQueue: true,
    connectTimeout: 2000,
    // A Redis that accepts but never answers (frozen, cut off without a reset) would hold a command, and
    // the request waiting on it, until TCP gives up minutes later: this fails it well inside the gateway's
    // 3 s upstream timeout, and the caller degrades (local rate limits, last known revocations) or 503s.
    commandTimeout: 1000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
  });
  // Connection errors are reported through health checks and failing commands, not as crashes.
  redis.on('error', () => undefined);
  return redis;
}

export async function pingRedis(redis: Redis): Promise<boolean> {
  return (await redis.ping()) === 'PONG';
}

export async function closeRedis(redis: Redis): Promise<void> {
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}
