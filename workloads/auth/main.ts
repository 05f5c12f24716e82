// The auth service: wiring of config, PostgreSQL, Redis, routes and lifecycle.
import { createHmac } from 'node:crypto';
import type { RequestHandler } from 'express';
import {
  authenticate,
  idempotency,
  PostgresIdempotencyStore,
  publicJwks,
  signAccessToken,
  RateLimiter,
  runUntilSignalled,
  startRevocationList,
  startService,
  StaticKeySource,
  TokenVerifier,
} from '../shared/index.js';
import type { RunningService, StartOptions } from '../shared/index.js';
import { loadAuthConfig } from './config.js';
import { LoginBackoff } from './data-access/login-backoff.js';
import { AUTH_SCHEMA, migrations } from './data-access/migrations.js';
import { RefreshTokenStore } from './data-access/refresh-tokens.js';
import { AuthIdempotencyStore } from './data-access/token-idempotency.js';
import { UserRepository } from './data-access/users.js';
import { AuthService } from './domain/auth-service.js';
import { PasswordHasher } from './domain/passwords.js';
import { authRoutes, jwksRoutes } from './entry-points/routes.js';

/** The endpoints whose answers hold tokens: their idempotency records keep no answer (token-idempotency.ts). */
const TOKEN_ENDPOINTS = new Set(['/api/v1/auth/login', '/api/v1/auth/refresh']);
/**
 * Public endpoints read no principal, so a stale Bearer token sent along must not turn them into a 401:
 * above all, a logout with an expired access token still ends the login.
 */
const PUBLIC_ENDPOINTS = new Set(['/api/v1/auth/register', '/api/v1/auth/login', '/api/v1/auth/refresh', '/api/v1/auth/logout']);

export type { StartOptions };

export type RunningAuth = RunningService<{ auth: AuthService }>;

export async function startAuth(options: StartOptions = {}): Promise<RunningAuth> {
  const config = loadAuthConfig(options.env);
  return startService({
    component: 'auth',
    config,
    options,
    database: {
      url: config.DATABASE_URL,
      poolMax: config.DATABASE_POOL_MAX,
      poolMin: config.DATABASE_POOL_MIN,
      schema: AUTH_SCHEMA,
      migrations,
    },
    redis: { url: config.REDIS_URL, keyPrefix: `${config.REDIS_KEY_PREFIX}auth:` },
    wire: async ({ service, pool, redis, logger, closing }) => {
      const users = new UserRepository(pool);
      const [signingKey] = config.AUTH_SIGNING_KEYS;
      if (!signingKey) throw new Error('AUTH_SIGNING_KEYS holds no key');
      const revocations = closing('revocations', await startRevocationList(config, logger, 'auth'));
      // Auth verifies tokens with its own ring's public keys: the same keys its JWKS publishes.
      const verifier = new TokenVerifier(new StaticKeySource(config.AUTH_SIGNING_KEYS), revocations.list);
      const auth = new AuthService({
        users,
        refreshTokens: new RefreshTokenStore(redis, config.AUTH_REFRESH_TTL_SECONDS, config.AUTH_REFRESH_FAMILY_MAX_SECONDS),
        revocations: revocations.list,
        loginLimiter: new RateLimiter(redis, 'login', config.AUTH_LOGIN_RATE_LIMIT, 60_000),
        registrationLimiter: new RateLimiter(redis, 'register', config.AUTH_REGISTRATIONS_PER_HOUR, 3_600_000),
        backoff: new LoginBackoff(redis, {
          baseMs: config.AUTH_LOGIN_BACKOFF_BASE_MS,
          maxMs: config.AUTH_LOGIN_BACKOFF_MAX_SECONDS * 1000,
          memorySeconds: 24 * 3600,
        }),
        passwords: new PasswordHasher(config.AUTH_SCRYPT_COST, config.AUTH_SCRYPT_CONCURRENCY, config.AUTH_SCRYPT_QUEUE),
        metrics: service.metrics,
        logger,
        accessTokens: { sign: (claims, sid) => signAccessToken(claims, signingKey, { ttlSeconds: config.AUTH_ACCESS_TTL_SECONDS, sid }) },
        accessTtlSeconds: config.AUTH_ACCESS_TTL_SECONDS,
      });
      if (config.ADMIN_EMAIL !== undefined && config.ADMIN_PASSWORD !== undefined)
        await auth.ensureAdmin(config.ADMIN_EMAIL, config.ADMIN_PASSWORD);
      const principal = authenticate(verifier, { required: false });
      service.app.use((req, res, next) => (PUBLIC_ENDPOINTS.has(req.path) ? next() : principal(req, res, next)));
      // Fingerprints are keyed by a secret derived from the signing key (request bodies hold passwords).
      const fingerprintKey = createHmac('sha256', signingKey.privateKey.export({ format: 'der', type: 'pkcs8' }))
        .update('kyc-auth idempotency fingerprints')
        .digest();
      const table = new PostgresIdempotencyStore(pool, AUTH_SCHEMA);
      const tokenIdempotency = idempotency({ store: new AuthIdempotencyStore(table, fingerprintKey, { withholdAnswers: true }) });
      const otherIdempotency = idempotency({ store: new AuthIdempotencyStore(table, fingerprintKey, { withholdAnswers: false }) });
      const replayStore: RequestHandler = (req, res, next) =>
        (TOKEN_ENDPOINTS.has(req.path) ? tokenIdempotency : otherIdempotency)(req, res, next);
      service.app.use(replayStore);
      service.app.use(jwksRoutes(publicJwks(config.AUTH_SIGNING_KEYS)));
      service.app.use(authRoutes(auth, users, verifier));
      return { auth };
    },
  });
}

export const main = (): Promise<void> => runUntilSignalled(() => startAuth());
