// PostgreSQL: a pool with sane timeouts, transactions, and a health check.
//
// The timeouts are a budget: a request that needs the database answers (or fails with a 503, see
// dependency-errors.ts) before the gateway's upstream timeout (BREAKER_TIMEOUT_MS, 3000 ms) gives up on it:
//   waiting for a connection (pool full, or PostgreSQL not answering the connect)   ≤ 1000 ms
//   one statement, cancelled by PostgreSQL itself (statement_timeout)               ≤ 1500 ms
//   one statement on a server that does not answer at all (frozen, partitioned)    ≤ 2000 ms, client side
// A connection that timed out client side is discarded, not reused: its statement may still be running.
import pg from 'pg';
import type { Pool, PoolClient, QueryConfig, QueryResult, QueryResultRow } from 'pg';
import { postgresConnection, storesTlsFromEnv, type StoreTls } from './store-tls.js';
import { SpanKind, inSpan, tracingEnabled } from './tracing.js';

export type { Pool, PoolClient } from 'pg';

export interface PoolOptions {
  max?: number;
  /**
   * Connections the pool keeps open however long they stay idle (the others close after 30 s idle), so a
   * burst after a quiet spell finds them open; warmPool opens them. At most `max`.
   */
  min?: number;
  applicationName?: string;
  /** Longest wait for a connection (a new one, or a free one of a full pool); then the request fails. */
  connectionTimeoutMillis?: number;
  /** PostgreSQL cancels a statement running longer (SQLSTATE 57014), keeping the connection usable. */
  statementTimeoutMillis?: number;
  /**
   * The client gives up on a statement after this long even when the server says nothing (frozen or
   * cut off); above `statementTimeoutMillis`, so a merely slow statement is cancelled cleanly first.
   */
  queryTimeoutMillis?: number;
  /** TLS to PostgreSQL (store-tls.ts); absent: DATABASE_TLS and DATABASE_CA_FILE from the environment. */
  tls?: StoreTls;
  /**
   * Statements a client is given while earlier ones still run go out at once instead of waiting their
   * turn (node-postgres' pipeline mode): several statements, one round trip. Code that awaits each
   * statement behaves as before; withPipelinedTransaction is what makes use of it.
   */
  pipeline?: boolean;
}

export const POOL_DEFAULTS = { connectionTimeoutMillis: 1000, statementTimeoutMillis: 1500, queryTimeoutMillis: 2000 } as const;

export function createPool(url: string, options: PoolOptions = {}): Pool {
  // A plaintext URL while TLS is required throws here, before any connection: the program does not start.
  const connection = postgresConnection(url, options.tls ?? storesTlsFromEnv().postgres);
  const pool = new pg.Pool({
    ...connection,
    max: options.max ?? 10,
    min: Math.min(options.min ?? 0, options.max ?? 10),
    application_name: options.applicationName ?? 'kyc',
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? POOL_DEFAULTS.connectionTimeoutMillis,
    idleTimeoutMillis: 30_000,
    statement_timeout: options.statementTimeoutMillis ?? POOL_DEFAULTS.statementTimeoutMillis,
    query_timeout: options.queryTimeoutMillis ?? POOL_DEFAULTS.queryTimeoutMillis,
    ...(options.pipeline === true && { pipeline: true }),
  });
  // A client losing its connection must not crash the process: idle ones are replaced by the pool; one
  // checked out (e.g. holding a transaction while Kafka acknowledges) fails its next query instead, and
  // the pool discards it on release.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  if (tracingEnabled()) pool.on('connect', traceQueries);
  return pool;
}

/**
 * Opens `count` connections at once and hands them back to the pool, before the service says it is ready.
 * A new connection costs a TLS handshake and a SCRAM exchange: milliseconds on a quiet node, but past the
 * pool's 1 s connect budget on a starved one (a release or a scale-out starts pods while traffic runs), and
 * a request that waits for it then fails with a 503. Warm connections move that cost before the first
 * request. Attempts that fail are tried again, up to `attempts` rounds; the number open is returned, and
 * the service starts with fewer rather than not at all: requests open what is missing, as before.
 */
export async function warmPool(pool: Pool, count: number, attempts = 3): Promise<number> {
  for (let round = 0; round < attempts && pool.totalCount < count; round += 1) {
    // All `count` held at once: connect() hands out an idle connection before it opens a new one, so
    // holding fewer would only take back the ones already open (the migration check's, a former round's).
    const results = await Promise.allSettled(Array.from({ length: count }, () => pool.connect()));
    for (const result of results) if (result.status === 'fulfilled') result.value.release();
  }
  return Math.min(pool.totalCount, count);
}

/** The longest statement text a span carries (statements hold placeholders, never values). */
const SPAN_STATEMENT_CHARS = 500;

/**
 * Makes each promise-style query of `client` a CLIENT span under the active span (docs/observability.md,
 * "Traces"): pool.query goes through its client's query too. Queries outside a span (the outbox relay's
 * polling), with a callback, or of a submittable (COPY streams, cursors) are left as they are.
 */
function traceQueries(client: PoolClient): void {
  const original = client.query.bind(client) as (...args: unknown[]) => unknown;
  const traced = (...args: unknown[]): unknown => {
    const [first] = args;
    const text = typeof first === 'string' ? first : (first as { text?: unknown } | undefined)?.text;
    const submittable = typeof (first as { submit?: unknown } | undefined)?.submit === 'function';
    if (typeof text !== 'string' || submittable || args.some((arg) => typeof arg === 'function')) return original(...args);
    const operation = /^\s*(\w+)/.exec(text)?.[1]?.toUpperCase() ?? 'QUERY';
    return inSpan(
      operation,
      {
        kind: SpanKind.CLIENT,
        childOnly: true,
        attributes: {
          'db.system.name': 'postgresql',
          'db.operation.name': operation,
          'db.query.text': text.slice(0, SPAN_STATEMENT_CHARS),
        },
      },
      () => original(...args) as Promise<unknown>,
    );
  };
  (client as unknown as { query: typeof traced }).query = traced;
}

const BROKEN_CONNECTION = /^(Query read timeout|Connection terminated|Client has encountered a connection error|Client was closed)/;

/**
 * Errors after which a connection cannot be trusted: it is gone, or a statement timed out client side
 * and may still be running on it. Such a connection is discarded; PostgreSQL rolls back whatever
 * transaction it held when the connection closes. Errors PostgreSQL sent itself (a constraint, 57014,
 * 40001) leave the connection usable: a ROLLBACK on it ends the transaction.
 */
export function isConnectionBroken(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const { severity, message, code } = error as { severity?: unknown; message?: unknown; code?: unknown };
  if (typeof severity === 'string') return false;
  if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return true; // a socket error: ECONNRESET, EPIPE...
  return typeof message === 'string' && BROKEN_CONNECTION.test(message);
}

/**
 * Runs `work` in one transaction: all of it is committed, or none of it. On an error the transaction is
 * rolled back — by a ROLLBACK when the connection still answers, by discarding the connection when it
 * does not (a ROLLBACK on a frozen connection would only wait out another timeout).
 */
export async function withTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    if (isConnectionBroken(error)) broken = error as Error;
    else await client.query('ROLLBACK').catch((rollbackError: unknown) => (broken = rollbackError as Error));
    throw error;
  } finally {
    client.release(broken);
  }
}

/** A transaction's statements on a pipelining connection (withPipelinedTransaction). */
export interface PipelinedTransaction {
  /** Sends a statement and waits for it; a failure of a statement sent earlier comes first. */
  query<R extends QueryResultRow = QueryResultRow>(config: QueryConfig): Promise<QueryResult<R>>;
  /** Sends a statement nobody waits for: its failure shows at the next `query` or at COMMIT. */
  send(config: QueryConfig): void;
}

/**
 * What makes the statements a pipelined transaction sends in one tick leave in one write: the
 * connection's socket is corked until the tick ends (node-postgres writes each statement on its own
 * otherwise, a system call each). The socket is node-postgres' own (not typed); without one, nothing.
 */
function oneWritePerTick(client: PoolClient): () => void {
  const stream = (client as unknown as { connection?: { stream?: { cork?: () => void; uncork?: () => void } } }).connection?.stream;
  let corked = false;
  return () => {
    if (corked || typeof stream?.cork !== 'function' || typeof stream.uncork !== 'function') return;
    corked = true;
    stream.cork();
    process.nextTick(() => {
      corked = false;
      stream.uncork?.();
    });
  };
}

/**
 * withTransaction with fewer round trips on a pool made with `pipeline: true`: BEGIN is not awaited on
 * its own but goes out just ahead of the first statement, writes whose result nobody needs (`send`) go
 * out ahead of the next statement or of COMMIT, and everything is still committed or rolled back as one
 * (docs/benchmarks.md, "Where the write path's time goes"). PostgreSQL runs a connection's statements in
 * the order they were sent, so a statement answers only after everything sent before it has run; a
 * failure there aborts the transaction, and the statements after it fail (25P02) or, for COMMIT, roll
 * back: the first failure is the one reported. On a pool without pipelining it works the same, one
 * statement at a time.
 */
export async function withPipelinedTransaction<T>(pool: Pool, work: (tx: PipelinedTransaction) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  let failure: { error: unknown } | undefined;
  // Settles once every statement sent so far has settled, in sending order: so the failure kept is the
  // first one sent, whichever promise a caller awaits first (a later statement only fails with 25P02).
  let inOrder: Promise<void> = Promise.resolve();
  let open = true;
  const batch = oneWritePerTick(client);
  // A statement started after the transaction ended would run on a connection back in the pool.
  const ensureOpen = (): void => {
    if (!open) throw new Error('statement sent after its transaction ended');
  };
  const track = <R extends QueryResultRow>(config: QueryConfig | string): Promise<QueryResult<R>> => {
    ensureOpen();
    batch();
    const answer = client.query<R>(config);
    answer.catch(() => undefined); // handled below, in order
    const settled = inOrder.then(
      () => answer,
      () => answer,
    );
    const kept = settled.catch((error: unknown) => {
      failure ??= { error };
      throw error;
    });
    inOrder = kept.then(
      () => undefined,
      () => undefined,
    );
    return kept;
  };
  const send = (config: QueryConfig | string): void => {
    track(config).catch(() => undefined); // kept in `failure`, reported by the next query or COMMIT
  };
  const query = async <R extends QueryResultRow>(config: QueryConfig | string): Promise<QueryResult<R>> => {
    const answer = track<R>(config);
    try {
      const result = await answer;
      if (failure) throw failure.error;
      return result;
    } catch (error) {
      throw failure ? failure.error : error;
    }
  };
  try {
    send('BEGIN');
    const result = await work({ query, send });
    const commit = await query('COMMIT');
    // COMMIT of a transaction that failed answers ROLLBACK; the failure itself was reported above.
    if (commit.command !== 'COMMIT') throw new Error(`transaction ended with ${commit.command} instead of COMMIT`);
    return result;
  } catch (error) {
    open = false;
    if (isConnectionBroken(error)) broken = error as Error;
    // Behind any statement still in flight: it runs first, then the ROLLBACK undoes it.
    else await client.query('ROLLBACK').catch((rollbackError: unknown) => (broken = rollbackError as Error));
    throw error;
  } finally {
    open = false;
    client.release(broken);
  }
}

/** How long a statement may take outside the request path: migrations at start-up, which may wait for another replica's lock. */
export const LONG_STATEMENT_MS = 10 * 60_000;

/**
 * Lifts the request budgets (POOL_DEFAULTS) on `client` for start-up work: the statement timeout on the
 * server and the read timeout in the client. Call the returned function before releasing the client.
 */
export async function liftRequestBudgets(client: PoolClient): Promise<() => Promise<void>> {
  // pg reads the read timeout from the client's connection parameters on every query (not typed by @types/pg).
  const parameters = (client as unknown as { connectionParameters: { query_timeout?: number } }).connectionParameters;
  const readTimeout = parameters.query_timeout;
  parameters.query_timeout = LONG_STATEMENT_MS;
  // A failure here shows again on the caller's next statement, which handles it.
  await client.query(`SET statement_timeout = ${LONG_STATEMENT_MS}`).catch(() => undefined);
  return async () => {
    parameters.query_timeout = readTimeout;
    await client.query('RESET statement_timeout').catch(() => undefined);
  };
}

export async function pingDatabase(pool: Pool): Promise<boolean> {
  await pool.query('SELECT 1');
  return true;
}

/** Quotes an SQL identifier (schema names come from code, but quoting keeps them honest). */
export function ident(name: string): string {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`invalid SQL identifier ${JSON.stringify(name)}`);
  return `"${name}"`;
}
