// A dependency failing under a request — PostgreSQL, Redis or Kafka unreachable, reset, frozen past its
// timeout, shutting down or out of connections — is a 503 with Retry-After the client may retry, never a
// 500. Routes do not map driver errors one by one: the error handler every Service installs (http.ts)
// asks `dependencyProblem` first, so the mapping is here, once, for every service.
import type { ErrorRequestHandler } from 'express';
import type { Logger } from './logger.js';
import { ProblemError, TEMPORARILY_UNAVAILABLE, serviceUnavailable } from './problem.js';

export type Dependency = 'database' | 'cache' | 'messaging' | 'kms';

export { TEMPORARILY_UNAVAILABLE };

/** A client that retries sooner than this mostly meets the same outage (a restart or failover takes seconds). */
export const DEPENDENCY_RETRY_AFTER_SECONDS = 5;

/** Socket errors of Node (and of its resolver) that mean "the other end cannot be reached now". */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ECONNABORTED',
  'EADDRNOTAVAIL',
]);

/**
 * SQLSTATEs that say "not now" rather than "not this": connection exceptions (class 08), insufficient
 * resources (class 53, e.g. 53300 too many connections), operator intervention (57P01 admin shutdown,
 * 57P02 crash shutdown, 57P03 cannot connect now, 57014 statement timeout), and the transaction
 * conflicts a retry resolves (40001 serialization failure, 40P01 deadlock).
 */
function isTransientSqlState(code: string): boolean {
  return /^(08|53)[0-9A-Z]{3}$/.test(code) || ['57P01', '57P02', '57P03', '57014', '40001', '40P01'].includes(code);
}

/** Messages pg and pg-pool throw without a code when the connection is gone or never came. */
const PG_MESSAGES = [
  /^Connection terminated/,
  /^timeout exceeded when trying to connect/,
  /^Query read timeout/,
  /^Client has encountered a connection error and is not queryable/,
  /^Client was closed and is not queryable/,
  /^Cannot use a pool after calling end on the pool/,
];

/** ioredis: the connection is closed/not writable, a command waited past its timeout or its retries. */
const REDIS_MESSAGES = [
  /^Connection is closed\.?$/,
  /^Stream isn't writeable/,
  /^Command timed out$/,
  /^Reached the max retries per request limit/,
];
const REDIS_NAMES = new Set(['MaxRetriesPerRequestError']);

/** The kyc service's KMS port: it reports an unreachable or refusing KMS under this name (docs/security.md). */
const KMS_NAMES = new Set(['KmsUnavailableError']);

/** kafkajs errors of an unreachable or unresponsive cluster. */
const KAFKA_NAMES = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSNumberOfRetriesExceeded',
  'KafkaJSBrokerNotFound',
  'KafkaJSLeaderNotAvailable',
]);

interface ErrorLike {
  name?: unknown;
  message?: unknown;
  code?: unknown;
  cause?: unknown;
  errors?: unknown;
  severity?: unknown;
}

function classifyOne(error: ErrorLike): Dependency | 'network' | undefined {
  const name = typeof error.name === 'string' ? error.name : '';
  const message = typeof error.message === 'string' ? error.message : '';
  const code = typeof error.code === 'string' ? error.code : '';
  if (KMS_NAMES.has(name)) return 'kms';
  if (KAFKA_NAMES.has(name)) return 'messaging';
  if (REDIS_NAMES.has(name) || REDIS_MESSAGES.some((m) => m.test(message))) return 'cache';
  if (PG_MESSAGES.some((m) => m.test(message))) return 'database';
  // pg's DatabaseError carries `severity` beside its SQLSTATE; other libraries' 5-character codes do not.
  if (typeof error.severity === 'string' && /^[0-9A-Z]{5}$/.test(code) && isTransientSqlState(code)) return 'database';
  if (NETWORK_CODES.has(code)) return 'network';
  return undefined;
}

/**
 * Which dependency `error` says is unavailable, following `cause` chains and AggregateErrors (a connect
 * attempt to every address of a name); `undefined` for anything else (a bug, a constraint, bad input).
 * A bare socket error names no library, so it counts as the database's: the only driver that surfaces
 * raw socket errors to a request (ioredis and kafkajs wrap theirs).
 */
export function unavailableDependency(error: unknown): Dependency | undefined {
  const seen = new Set<unknown>();
  const queue: unknown[] = [error];
  let network = false;
  while (queue.length > 0 && seen.size < 16) {
    const current = queue.shift();
    if (typeof current !== 'object' || current === null || seen.has(current)) continue;
    seen.add(current);
    const found = classifyOne(current);
    if (found === 'network') network = true;
    else if (found) return found;
    const { cause, errors } = current as ErrorLike;
    queue.push(cause);
    if (Array.isArray(errors)) queue.push(...(errors as unknown[]));
  }
  return network ? 'database' : undefined;
}

const DETAILS: Record<Dependency, string> = {
  database: 'the service cannot reach its database right now; try again shortly',
  cache: 'the service cannot reach its cache right now; try again shortly',
  messaging: 'the service cannot reach its message broker right now; try again shortly',
  kms: 'the service cannot reach its key management service right now; try again shortly',
};

/** The 503 to answer for a dependency failure, or `undefined` when `error` is not one. */
export function dependencyProblem(error: unknown): ProblemError | undefined {
  if (error instanceof ProblemError) return undefined;
  const dependency = unavailableDependency(error);
  if (!dependency) return undefined;
  // Names the dependency for whoever reads the answer; nothing of the driver's message (host names, SQL).
  return serviceUnavailable(DEPENDENCY_RETRY_AFTER_SECONDS, DETAILS[dependency], { dependency });
}

/** Turns a dependency failure into its 503 before the problem handler renders it; anything else passes. */
export function dependencyErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, req, _res, next) => {
    const problem = dependencyProblem(error);
    if (!problem) return next(error);
    (req.log ?? logger).warn({ err: error, dependency: problem.extensions.dependency }, 'dependency unavailable; answered 503');
    next(problem);
  };
}
