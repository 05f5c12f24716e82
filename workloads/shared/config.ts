// Configuration from the environment, validated once per program with zod. A bad variable stops the
// program with a message that names it (never its value: it may be a secret).
import { z } from 'zod';

export class ConfigError extends Error {
  constructor(
    message: string,
    readonly variables: string[],
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

export type Env = Record<string, string | undefined>;

/** Parses `env` with `schema`; throws a ConfigError naming every bad variable. */
export function loadConfig<S extends z.ZodType>(schema: S, env: Env = process.env): z.infer<S> {
  // Empty strings count as unset, so `FOO=` in a shell falls back to the default.
  const cleaned: Env = {};
  for (const [key, value] of Object.entries(env)) if (value !== undefined && value !== '') cleaned[key] = value;
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  const variables = [...new Set(result.error.issues.map((issue) => issue.path.join('.') || '(environment)'))];
  const details = result.error.issues.map((issue) => `${issue.path.join('.') || '(environment)'}: ${issue.message}`);
  throw new ConfigError(`invalid configuration: ${details.join('; ')}`, variables);
}

const booleanString = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

export const port = z.coerce.number().int().min(0).max(65535);

const postgresUrl = z.string().refine((value) => /^postgres(ql)?:\/\//.test(value), 'must be a postgres:// URL');
const redisUrl = z.string().refine((value) => /^rediss?:\/\//.test(value), 'must be a redis:// URL');
const kafkaBrokers = z
  .string()
  .transform((value) =>
    value
      .split(',')
      .map((b) => b.trim())
      .filter(Boolean),
  )
  .refine((list) => list.length > 0 && list.every((b) => /^[^\s:]+:\d+$/.test(b)), 'must be host:port[,host:port...]');

/** Variables every component reads (docs/workload-contract.md). */
export const commonEnv = z.object({
  PORT: port.default(8080),
  /**
   * The metrics listener (/metrics, detailed /health); unset = 9090, or a free port when PORT is 0
   * (Service.listen decides, so that in-process tests never share one).
   */
  METRICS_PORT: port.optional(),
  HOST: z.string().default('0.0.0.0'),
  KYC_COMPONENT: z.string().default('unknown'),
  KYC_PLATFORM: z.string().default('local'),
  KYC_VERSION: z.string().default('0.0.0-dev'),
  /** The pod's colour under a blue-green release (the operator sets it); absent: no colour. Only the active colour consumes (docs/releases.md, "Blue-green isolation"). */
  KYC_COLOR: z.enum(['blue', 'green']).optional(),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  /** The live settings (feature flags, docs/api.md) the service re-reads while it runs (docs/workload-contract.md); unset: every flag on. */
  LIVE_SETTINGS_FILE: z.string().optional(),
  /**
   * The component's certificate Secret, mounted by the operator (tls.crt, tls.key, ca.crt): every listener
   * serves HTTPS only, TLS 1.3 at least, and calls to peers trust ca.crt (tls.ts). Unset: plain HTTP.
   */
  KYC_TLS_DIR: z.string().optional(),
  /** Prefix for Kafka topics and consumer groups (isolates test runs and platforms sharing a cluster). */
  KAFKA_TOPIC_PREFIX: z.string().default(''),
  /** Prefix for every Redis key this process writes. */
  REDIS_KEY_PREFIX: z.string().default(''),
  /** How long SIGTERM waits for in-flight requests before closing connections. */
  SHUTDOWN_GRACE_MS: z.coerce.number().int().min(0).default(10_000),
});

export const databaseEnv = z.object({
  DATABASE_URL: postgresUrl,
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).default(10),
  /**
   * Connections opened before the pod is ready and kept open while idle (at most DATABASE_POOL_MAX): a
   * new pod's first requests, and a burst after a quiet spell, do not wait for TLS and SCRAM (db.ts warmPool).
   */
  DATABASE_POOL_MIN: z.coerce.number().int().min(0).default(8),
  /**
   * `startup`: the service migrates its schema as it starts (one credential for everything); `external`:
   * a migration step ran first as the owner role, and the service only checks that its schema is current
   * (docs/security.md, "Per-service credentials").
   */
  DATABASE_MIGRATIONS: z.enum(['startup', 'external']).default('startup'),
});
export const redisEnv = z.object({ REDIS_URL: redisUrl });
export const kafkaEnv = z.object({ KAFKA_BROKERS: kafkaBrokers });
const httpUrl = z.string().refine((value) => /^https?:\/\/[^\s]+$/.test(value), 'must be an http:// or https:// URL');

/**
 * Every service but auth verifies access tokens with auth's public keys (AUTH_JWKS_URL, rendered by
 * the operator as https://<platform>-auth:8080/.well-known/jwks.json, http:// when spec.tls.mode is
 * Disabled) and the platform's revocation list in Redis (REDIS_URL, under REDIS_KEY_PREFIX). No service
 * but auth holds a signing key.
 */
export const tokenVerifierEnv = z.object({
  AUTH_JWKS_URL: httpUrl,
  REDIS_URL: redisUrl,
  /** How often the key set is loaded again (a key auth stops publishing stops being trusted then). */
  AUTH_JWKS_REFRESH_SECONDS: z.coerce.number().int().min(5).max(86_400).default(300),
  /** At most one extra load per this many seconds for tokens naming an unknown kid (forged kids cannot hammer auth). */
  AUTH_JWKS_MIN_REFRESH_SECONDS: z.coerce.number().int().min(1).max(3600).default(5),
  /** How long a starting pod stays not Ready waiting for auth's keys before it is Ready without them (docs/workloads.md). */
  AUTH_JWKS_STARTUP_WAIT_SECONDS: z.coerce.number().int().min(0).max(600).default(60),
  /** How often the revocation list is pulled besides the pub/sub push (the bound on a lost message). */
  AUTH_REVOCATION_SYNC_SECONDS: z.coerce.number().int().min(1).max(300).default(5),
});

export const schemas = { booleanString, postgresUrl, redisUrl, kafkaBrokers };

export type CommonConfig = z.infer<typeof commonEnv>;
