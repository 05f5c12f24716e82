// The auth service: wiring of config, PostgreSQL, Redis, routes and lifecycle.
import { createLogger, authenticate, closeRedis, createPool, createRedis, exitOnSignals, idempotency, pingDatabase, pingRedis, PostgresIdempotencyStore, RateLimiter, runMigrations, Service } from '../shared/index.js';
import type { Env, Listening, Logger } from '../shared/index.js';
import { loadAuthConfig } from './config.js';
import { AUTH_SCHEMA, migrations } from './data-access/migrations.js';
import { RefreshTokenStore } from './data-access/refresh-tokens.js';
import { UserRepository } from './data-access/users.js';
import { AuthService } from './domain/auth-service.js';
import { authRoutes } from './entry-points/routes.js';

export interface StartOptions {
  env?: Env;
  logger?: Logger;
  port?: number;
  host?: string;
}

export interface RunningAuth extends Listening {
  service: Service;
  auth: AuthService;
  close(): Promise<void>;
}

export async function startAuth(options: StartOptions = {}): Promise<RunningAuth> {
  const config = loadAuthConfig(options.env);
  const logger = options.logger ?? createLogger({ component: 'auth', platform: config.KYC_PLATFORM, version: config.KYC_VERSION, level: config.LOG_LEVEL });
  const pool = createPool(config.DATABASE_URL, { max: config.DATABASE_POOL_MAX, applicationName: 'kyc-auth' });
  const redis = createRedis(config.REDIS_URL, { connectionName: 'kyc-auth', keyPrefix: `${config.REDIS_KEY_PREFIX}auth:` });
  const service = new Service({
    component: 'auth',
    logger,
    version: config.KYC_VERSION,
    platform: config.KYC_PLATFORM,
    shutdownGraceMs: config.SHUTDOWN_GRACE_MS,
    health: { database: () => pingDatabase(pool), cache: () => pingRedis(redis) },
  });
  service.lifecycle.onShutdown('postgres', () => pool.end());
  service.lifecycle.onShutdown('redis', () => closeRedis(redis));
  service.metrics.observePool('auth', pool);
  try {
    await runMigrations(pool, AUTH_SCHEMA, migrations, logger);
    const users = new UserRepository(pool);
    const auth = new AuthService({
      users,
      refreshTokens: new RefreshTokenStore(redis, config.AUTH_REFRESH_TTL_SECONDS),
      redis,
      loginLimiter: new RateLimiter(redis, 'login', config.AUTH_LOGIN_RATE_LIMIT, 60_000),
      metrics: service.metrics,
      logger,
      jwtSecret: config.AUTH_JWT_SECRET,
      accessTtlSeconds: config.AUTH_ACCESS_TTL_SECONDS,
      maxFailedLogins: config.AUTH_MAX_FAILED_LOGINS,
      lockoutSeconds: config.AUTH_LOCKOUT_SECONDS,
      scryptCost: config.AUTH_SCRYPT_COST,
    });
    if (config.ADMIN_EMAIL !== undefined && config.ADMIN_PASSWORD !== undefined) await auth.ensureAdmin(config.ADMIN_EMAIL, config.ADMIN_PASSWORD);
    service.app.use(authenticate(config.AUTH_JWT_SECRET, { required: false }));
    service.app.use(idempotency({ store: new PostgresIdempotencyStore(pool, AUTH_SCHEMA) }));
    service.app.use(authRoutes(auth, users));
    const listening = await service.listen(options.port ?? config.PORT, options.host ?? config.HOST, config.METRICS_PORT);
    return { ...listening, service, auth, close: () => service.close() };
  } catch (error) {
    await service.close();
    throw error;
  }
}

export async function main(): Promise<void> {
  const running = await startAuth();
  exitOnSignals(running.service.lifecycle, running.service.logger);
}
