// The auth service's configuration (one place, validated at start-up).
import { z } from 'zod';
import { commonEnv, databaseEnv, jwtEnv, loadConfig, redisEnv } from '../shared/index.js';
import type { Env } from '../shared/index.js';

export const authEnv = commonEnv
  .merge(databaseEnv)
  .merge(redisEnv)
  .merge(jwtEnv)
  .extend({
    ADMIN_EMAIL: z.string().email().optional(),
    ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').max(128).optional(),
    AUTH_ACCESS_TTL_SECONDS: z.coerce.number().int().min(30).max(3600).default(900),
    AUTH_REFRESH_TTL_SECONDS: z.coerce.number().int().min(60).default(7 * 86_400),
    /** Failed logins for one account before it is locked. */
    AUTH_MAX_FAILED_LOGINS: z.coerce.number().int().min(1).default(5),
    AUTH_LOCKOUT_SECONDS: z.coerce.number().int().min(1).default(900),
    /** Login attempts per client address per minute. */
    AUTH_LOGIN_RATE_LIMIT: z.coerce.number().int().min(1).default(30),
    /** scrypt cost (N); lower only in tests. */
    AUTH_SCRYPT_COST: z.coerce.number().int().min(1024).default(16_384),
  })
  .refine((env) => (env.ADMIN_EMAIL === undefined) === (env.ADMIN_PASSWORD === undefined), {
    message: 'ADMIN_EMAIL and ADMIN_PASSWORD are set together',
    path: ['ADMIN_PASSWORD'],
  });

export type AuthConfig = z.infer<typeof authEnv>;

export function loadAuthConfig(env?: Env): AuthConfig {
  return loadConfig(authEnv, env);
}
