// The shared library of the KYC workloads. Services import only from here:
//   import { Service, createLogger, loadConfig, ... } from '../shared/index.js';
import './context.js';

export { ROLES } from './context.js';
export type { Principal, Role } from './context.js';
export { ConfigError, commonEnv, databaseEnv, kafkaEnv, loadConfig, port, redisEnv, schemas, tokenVerifierEnv } from './config.js';
export type { CommonConfig, Env } from './config.js';
export { createLogger, memoryDestination } from './logger.js';
export { FEATURE_FLAG_NAMES, LiveSettings } from './live-settings.js';
export {
  MAINTENANCE_PROBLEM,
  MODE_REDUCES,
  MODE_RETRY_AFTER_SECONDS,
  PUBLIC_STATUS_PATH,
  READ_ONLY_PROBLEM,
  SERVICE_MODE_HEADER,
  SERVICE_MODES,
} from './service-mode.js';
export type { ModeSource, ServiceMode } from './service-mode.js';
export type { FeatureFlagName, FeatureFlags, FeatureSwitches } from './live-settings.js';
export { pauseWhileOff } from './feature-pause.js';
export type { FeaturePause } from './feature-pause.js';
export { ColorGate, GatedConsumer } from './color-gate.js';
export type { ActiveSource, GatedActivity } from './color-gate.js';
export type { Logger, LoggerOptions } from './logger.js';
export { REDACTED, isSecretKey, scrub, scrubString } from './redact.js';
export {
  PROBLEM_BASE,
  ProblemError,
  badRequest,
  conflict,
  fieldPath,
  forbidden,
  fromZodError,
  notFound,
  notFoundHandler,
  parseOrProblem,
  problemErrorHandler,
  sendProblem,
  serviceUnavailable,
  toProblem,
  tooManyRequests,
  unauthorized,
  validationProblem,
} from './problem.js';
export type { FieldError, ProblemBody, ProblemOptions } from './problem.js';
export { Metrics } from './metrics.js';
export type { PoolLike } from './metrics.js';
export { healthReport } from './health.js';
export type { CheckResult, HealthCheck, HealthChecks, HealthReport } from './health.js';
export { Lifecycle, exitOnSignals } from './lifecycle.js';
export type { SignalTarget } from './lifecycle.js';
export { runUntilSignalled, startService } from './startup.js';
export type { RunningService, ServiceSpec, StartOptions, StartupDrivers, Wiring } from './startup.js';
export {
  DEFAULT_METRICS_PORT,
  SECURITY_HEADERS,
  Service,
  accessLog,
  closeServer,
  listenerServer,
  requestContext,
  securityHeaders,
} from './http.js';
export { ServiceTls, TLS_MIN_VERSION, TLS_RELOAD_INTERVAL_MS, checkTlsMaterial, readTlsMaterial } from './tls.js';
export type { PeerTrust, TlsMaterial, TlsSummary } from './tls.js';
export { getFromPeer } from './peer-request.js';
export type { PeerAnswer, PeerRequestOptions } from './peer-request.js';
export { DEFAULT_JSON_MAX_DEPTH, jsonDepthExceededAt, jsonTooDeep, verifyJsonBody } from './json-limits.js';
export type { Listening, ServiceOptions } from './http.js';
export { createPool, ident, pingDatabase, warmPool, withPipelinedTransaction, withTransaction } from './db.js';
export type { PipelinedTransaction, Pool, PoolClient, PoolOptions } from './db.js';
export { ID_CURSOR, pageOf } from './paging.js';
export type { Page } from './paging.js';
export { checkMigrated, runMigrations } from './migrate.js';
export type { Migration, MigrationOptions, MigrationResult } from './migrate.js';
export { appRoleGrants, grantAppRole, roleOf } from './privileges.js';
export type { AppRoleGrant } from './privileges.js';
export { closeRedis, createRedis, pingRedis } from './redis.js';
export type { Redis } from './redis.js';
export { EVENT_FAMILIES, EVENT_TYPES, familyTopic, newEvent, parseEnvelope, topicForEvent } from './events.js';
export type { EventEnvelope, EventFamily, EventType } from './events.js';
export { createKafka, createProducer, ensureTopics, startConsumer, subscribeAll } from './kafka.js';
export { unavailableDependency } from './dependency-errors.js';
export type { Consumer, ConsumerOptions, Kafka, Producer, RunningConsumer } from './kafka.js';
export { OUTBOX_COLUMNS, OutboxRelay, enqueueEvent, outboxMigration, outboxValues } from './outbox.js';
export type { OutboxRelayOptions } from './outbox.js';
export {
  IDEMPOTENCY_TTL_SECONDS,
  PostgresIdempotencyStore,
  RedisIdempotencyStore,
  canonicalJson,
  idempotency,
  idempotencyMigration,
  requestFingerprint,
} from './idempotency.js';
export type { BeginResult, IdempotencyOptions, IdempotencyStore, StoredResponse } from './idempotency.js';
export {
  TokenVerifier,
  VERIFIED_CACHE_SIZE,
  authenticate,
  bearerToken,
  requireRole,
  startRevocationList,
  startTokenVerifier,
} from './auth-token.js';
export type { RunningVerifier, TokenCheck, TokenVerifierConfig } from './auth-token.js';
export {
  ACCESS_TOKEN_TTL_SECONDS,
  TOKEN_ALGORITHM,
  TOKEN_AUDIENCE,
  TOKEN_ISSUER,
  parseSigningKeys,
  publicJwk,
  publicJwks,
  signAccessToken,
} from './token-keys.js';
export type { PublicJwk, SignOptions, SigningKey } from './token-keys.js';
export { JwksKeySource, StaticKeySource, parseJwks } from './jwks.js';
export type { KeySource } from './jwks.js';
export { RETENTION_MS, RevocationList } from './revocation.js';
export type { RevocableToken, Revocation, RevocationCheck } from './revocation.js';
export { BatchedRateLimiter, RateLimiter } from './rate-limit.js';
export type { RateLimitResult } from './rate-limit.js';
