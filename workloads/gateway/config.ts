// The gateway's configuration (docs/workload-contract.md plus gateway tuning), validated at start-up.
import { z } from 'zod';
import { commonEnv, loadConfig, redisEnv, schemas, tokenVerifierEnv } from '../shared/index.js';
import type { Env } from '../shared/index.js';
import { STRATEGIES, parseUpstreams } from './balancer.js';
import type { InstanceSpec } from './balancer.js';
import { parseTrustedProxies } from './client-address.js';
import type { TrustedProxies } from './client-address.js';
import { upstreamsWithImpersonalRoutes } from './routes.js';

/** The services the gateway forwards to: the API's four, and the web app's server (docs/frontend.md). */
export const UPSTREAM_NAMES = ['auth', 'kyc', 'notification', 'analytics', 'frontend'] as const;
export type UpstreamName = (typeof UPSTREAM_NAMES)[number];

const upstreamList = z
  .string()
  .optional()
  .transform((value, ctx): InstanceSpec[] => {
    if (value === undefined) return [];
    try {
      return parseUpstreams(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
      return z.NEVER;
    }
  });

const UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3 };

/** A byte size as the body limit takes it (`10mb`, `512kb`, `1048576`; units of 1024, like express). */
const byteSize = z.string().transform((value, ctx): number => {
  const match = /^(\d+)\s*(b|kb|mb|gb)?$/i.exec(value.trim());
  if (!match) {
    ctx.addIssue({ code: 'custom', message: `"${value}" is not a size (e.g. 10mb, 512kb, 1048576)` });
    return z.NEVER;
  }
  return Number(match[1]) * (UNITS[(match[2] ?? 'b').toLowerCase()] ?? 1);
});

export const gatewayEnv = commonEnv
  .extend(redisEnv.shape)
  .extend(tokenVerifierEnv.shape)
  .extend({
    UPSTREAM_AUTH: upstreamList,
    UPSTREAM_KYC: upstreamList,
    UPSTREAM_NOTIFICATION: upstreamList,
    UPSTREAM_ANALYTICS: upstreamList,
    /** The web app's server; unset (the component disabled): the gateway serves no web app. */
    UPSTREAM_FRONTEND: upstreamList,
    LB_STRATEGY: z.enum(STRATEGIES).default('round-robin'),
    LB_STICKY_SESSIONS: schemas.booleanString.prefault('false'),
    LB_STICKY_COOKIE: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,64}$/)
      .default('kyc_affinity'),
    /** Required defaults (docs/workloads.md): 3000 ms timeout, 50 % errors open the breaker, 30 s until a trial request. */
    BREAKER_TIMEOUT_MS: z.coerce.number().int().min(10).default(3000),
    BREAKER_ERROR_THRESHOLD_PERCENTAGE: z.coerce.number().min(1).max(100).default(50),
    BREAKER_RESET_TIMEOUT_MS: z.coerce.number().int().min(10).default(30_000),
    /** Requests in the rolling window before the breaker may open. */
    BREAKER_VOLUME_THRESHOLD: z.coerce.number().int().min(0).default(5),
    BREAKER_ROLLING_WINDOW_MS: z.coerce.number().int().min(100).default(10_000),
    /** Requests per client (user, else address) per window; 0 turns the limit off. */
    RATE_LIMIT_REQUESTS: z.coerce.number().int().min(0).default(600),
    RATE_LIMIT_WINDOW_MS: z.coerce.number().int().min(100).default(60_000),
    /**
     * Upstreams whose successful GETs of routes without personal data are kept in Redis to serve
     * (marked stale) while they are down. Routes with personal data are never cached (routes.ts), so
     * only upstreams that have other routes may be named: today analytics.
     */
    GATEWAY_CACHE_UPSTREAMS: z
      .string()
      .default('analytics')
      .transform((value, ctx) => {
        const names = value
          .split(',')
          .map((v) => v.trim())
          .filter(Boolean);
        const allowed = upstreamsWithImpersonalRoutes();
        for (const name of names) {
          if (!(allowed as readonly string[]).includes(name))
            ctx.addIssue({
              code: 'custom',
              message: `"${name}" has no route free of personal data to cache (allowed: ${allowed.join(', ')})`,
            });
        }
        return names;
      }),
    GATEWAY_CACHE_TTL_SECONDS: z.coerce.number().int().min(1).default(600),
    GATEWAY_BODY_LIMIT: z.string().default('12mb'),
    /**
     * Proxies in front of the gateway whose X-Forwarded-For (and X-Forwarded-Proto) it believes:
     * comma-separated addresses and CIDRs, IPv4 or IPv6. Empty: none; the socket's peer is the client.
     */
    GATEWAY_TRUSTED_PROXIES: z
      .string()
      .default('')
      .transform((value, ctx): TrustedProxies => {
        try {
          return parseTrustedProxies(value);
        } catch (error) {
          ctx.addIssue({ code: 'custom', message: (error as Error).message });
          return z.NEVER;
        }
      }),
    /** Largest upstream answer the gateway buffers; a longer one is cut off and answered 502. */
    GATEWAY_UPSTREAM_RESPONSE_LIMIT: byteSize.prefault('10mb'),
    /**
     * How long a starting gateway stays unready waiting for the first pod of each upstream (warmup.ts);
     * after it, the gateway serves without the upstreams still missing (their routes answer 503).
     */
    GATEWAY_UPSTREAM_WARMUP_MS: z.coerce.number().int().min(0).default(60_000),
    /** Deepest nesting of arrays/objects in a JSON request body; deeper bodies get 400 at the edge. */
    GATEWAY_JSON_MAX_DEPTH: z.coerce.number().int().min(1).max(1000).default(32),
  });

export type GatewayConfig = z.infer<typeof gatewayEnv>;

export function loadGatewayConfig(env?: Env): GatewayConfig {
  return loadConfig(gatewayEnv, env);
}
