// PostgreSQL: a pool with sane timeouts, transactions, and a health check.
import pg from 'pg';
import type { Pool, PoolClient } from 'pg';

export type { Pool, PoolClient } from 'pg';

export interface PoolOptions {
  max?: number;
  applicationName?: string;
  /** Fails a connection attempt fast so /health answers while the database is unreachable. */
  connectionTimeoutMillis?: number;
  statementTimeoutMillis?: number;
}

export function createPool(url: string, options: PoolOptions = {}): Pool {
  const pool = new pg.Pool({
    connectionString: url,
    max: options.max ?? 10,
    application_name: options.applicationName ?? 'kyc',
    connectionTimeoutMillis: options.connectionTimeoutMillis ?? 2000,
    idleTimeoutMillis: 30_000,
    statement_timeout: options.statementTimeoutMillis ?? 15_000,
  });
  // A client losing its connection must not crash the process: idle ones are replaced by the pool; one
  // checked out (e.g. holding a transaction while Kafka acknowledges) fails its next query instead, and
  // the pool discards it on release.
  pool.on('error', () => undefined);
  pool.on('connect', (client) => client.on('error', () => undefined));
  return pool;
}

export async function withTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
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
