// The gateway's configuration (docs/workload-contract.md plus gateway tuning), validated at start-up.
import { z } from 'zod';
import { commonEnv, loadConfig, redisEnv, schemas, tokenVerifierEnv } from '../shared/index.js';
import type { Env } from '../shared/index.js';
import { STRATEGIES, parseUpstreams } from './balancer.js';
import type { InstanceSpec } from './balancer.js';

export const UPSTREAM_NAMES = ['auth', 'kyc', 'notification', 'analytics'] as const;
export type UpstreamName = (typeof UPSTREAM_NAMES)[number];

const upstreamList = z
  .string()
  .optional()
  .transform((value, ctx): InstanceSpec[] => {
    if (value === undefined) return [];
    try {
      return parseUpstreams(value);
    } catch (error) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: (error as Error).message });
      return z.NEVER;
    }
  });

export const gatewayEnv = commonEnv
  .merge(redisEnv)
  .merge(tokenVerifierEnv)
  .extend({
    UPSTREAM_AUTH: upstreamList,
    UPSTREAM_KYC: upstreamList,
    UPSTREAM_NOTIFICATION: upstreamList,
    UPSTREAM_ANALYTICS: upstreamList,
    LB_STRATEGY: z.enum(STRATEGIES).default('round-robin'),
    LB_STICKY_SESSIONS: schemas.booleanString.default('false'),
    LB_STICKY_COOKIE: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/).default('kyc_affinity'),
    /** Seed defaults: 3000 ms timeout, 50 % errors open the breaker, 30 s until a trial request. */
    BREAKER_TIMEOUT_MS: z.coerce.number().int().min(10).default(3000),
    BREAKER_ERROR_THRESHOLD_PERCENTAGE: z.coerce.number().min(1).max(100).default(50),
    BREAKER_RESET_TIMEOUT_MS: z.coerce.number().int().min(10).default(30_000),
    /** Requests in the rolling window before the breaker may open. */
    BREAKER_VOLUME_THRESHOLD: z.coerce.number().int().min(0).default(5),
    BREAKER_ROLLING_WINDOW_MS: z.coerce.number().int().min(100).default(10_000),
    /** Requests per client (user, else address) per window; 0 turns the limit off. */
    RATE_LIMIT_REQUESTS: z.coerce.number().int().min(0).default(600),
    RATE_LIMIT_WINDOW_MS: z.coerce.number().int().min(100).default(60_000),
    /** Upstreams whose successful GETs are kept in Redis to serve (marked stale) while they are down. */
    GATEWAY_CACHE_UPSTREAMS: z
      .string()
      .default('kyc')
      .transform((value) => value.split(',').map((v) => v.trim()).filter(Boolean)),
    GATEWAY_CACHE_TTL_SECONDS: z.coerce.number().int().min(1).default(600),
    GATEWAY_BODY_LIMIT: z.string().default('12mb'),
    /** Take the client address from X-Forwarded-For (only behind a trusted ingress/load balancer). */
    GATEWAY_TRUST_FORWARDED_FOR: schemas.booleanString.default('false'),
  });

export type GatewayConfig = z.infer<typeof gatewayEnv>;

export function loadGatewayConfig(env?: Env): GatewayConfig {
  return loadConfig(gatewayEnv, env);
}
