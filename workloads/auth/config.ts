// The auth service's configuration (one place, validated at start-up).
import { z } from 'zod';
import { commonEnv, databaseEnv, loadConfig, parseSigningKeys, redisEnv } from '../shared/index.js';
import type { Env, SigningKey } from '../shared/index.js';
import { OWASP_SCRYPT_COST } from './domain/passwords.js';

/** AUTH_SIGNING_KEYS: `kid:base64(PKCS#8 DER Ed25519)[,...]`, the first signs; only auth reads it. */
const signingKeys = z.string().transform((raw, ctx): SigningKey[] => {
  try {
    return parseSigningKeys(raw);
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
    return z.NEVER;
  }
});

export const authEnv = commonEnv
  .extend(databaseEnv.shape)
  .extend(redisEnv.shape)
  .extend({
    AUTH_SIGNING_KEYS: signingKeys,
    ADMIN_EMAIL: z.email().optional(),
    ADMIN_PASSWORD: z.string().min(12, 'must be at least 12 characters').max(128).optional(),
    AUTH_ACCESS_TTL_SECONDS: z.coerce.number().int().min(30).max(3600).default(900),
    /** Idle limit of one refresh token (each refresh issues a new one). */
    AUTH_REFRESH_TTL_SECONDS: z.coerce
      .number()
      .int()
      .min(60)
      .default(7 * 86_400),
    /**
     * Absolute lifetime of a login (refresh family): 12 h, a working day. A bank signs its staff in
     * daily, and a stolen refresh token, however often it is rotated, dies with its login by then.
     */
    AUTH_REFRESH_FAMILY_MAX_SECONDS: z.coerce
      .number()
      .int()
      .min(1)
      .max(30 * 86_400)
      .default(12 * 3600),
    /** Failed-login backoff per account and client address: the first delay, doubling to the cap. */
    AUTH_LOGIN_BACKOFF_BASE_MS: z.coerce.number().int().min(1).default(1000),
    AUTH_LOGIN_BACKOFF_MAX_SECONDS: z.coerce.number().int().min(1).default(900),
    /** Login attempts per client address per minute. */
    AUTH_LOGIN_RATE_LIMIT: z.coerce.number().int().min(1).default(30),
    /** Sign-ups per client address per hour. */
    AUTH_REGISTRATIONS_PER_HOUR: z.coerce.number().int().min(1).default(10),
    /** scrypt cost N (r=8, p=3): 2^15 by default, OWASP's equal of N=2^17, p=1 at a quarter of the memory; tests lower it. Older hashes are redone at login. */
    AUTH_SCRYPT_COST: z.coerce
      .number()
      .int()
      .min(1024)
      .max(2 ** 20)
      .refine((n) => Number.isInteger(Math.log2(n)), 'must be a power of two')
      .default(OWASP_SCRYPT_COST),
    /** Password derivations at once (each holds 128·N·8 bytes: 32 MiB at the default cost). */
    AUTH_SCRYPT_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(2),
    /** Derivations that may wait for a slot; more answer 503 with Retry-After. Eight behind two slots
     *  wait at most ~1.5 s, well inside the gateway's upstream timeout. */
    AUTH_SCRYPT_QUEUE: z.coerce.number().int().min(0).max(1000).default(8),
    /** How often the revocation list is pulled besides the pub/sub push. */
    AUTH_REVOCATION_SYNC_SECONDS: z.coerce.number().int().min(1).max(300).default(5),
  })
  .refine((env) => (env.ADMIN_EMAIL === undefined) === (env.ADMIN_PASSWORD === undefined), {
    message: 'ADMIN_EMAIL and ADMIN_PASSWORD are set together',
    path: ['ADMIN_PASSWORD'],
  });

export type AuthConfig = z.infer<typeof authEnv>;

export function loadAuthConfig(env?: Env): AuthConfig {
  return loadConfig(authEnv, env);
}
