// Versioned migrations. Each service owns one PostgreSQL schema and lists its migrations as TS
// modules (SQL text or a function); applied versions are recorded in <schema>.schema_migrations.
// A session advisory lock per schema makes concurrent start-ups safe: one migrates, the others wait
// and then find nothing to do.
//
// A new version migrates while the active one still serves from the same schema (blue-green), so a
// migration that contracts the schema (drops, renames, retypes, a new NOT NULL) is refused before anything
// runs unless it is marked `contract` (migration-compat.ts, docs/releases.md "Schema changes: expand/contract").
import { createHash } from 'node:crypto';
import type { Pool, PoolClient } from 'pg';
import { ident, liftRequestBudgets } from './db.js';
import type { Logger } from './logger.js';
import { incompatibility } from './migration-compat.js';
import { grantAppRole } from './privileges.js';
import type { AppRoleGrant } from './privileges.js';

export interface Migration {
  version: number;
  name: string;
  up: string | ((client: PoolClient, schema: string) => Promise<void>);
  /**
   * A contract step (docs/releases.md, "Schema changes: expand/contract"): why no running version uses
   * what it removes any more, e.g. "1.4 stopped reading applications.findings; 1.5 is the oldest that runs".
   */
  contract?: string;
  /** A function migration that only expands the schema (its code cannot be checked like SQL text). */
  expandOnly?: boolean;
}

export interface MigrationOptions {
  /**
   * After migrating, grant this role its rows in the schema (the owner role migrates, the service connects
   * as its own role: docs/security.md, "Per-service credentials").
   */
  grantTo?: AppRoleGrant;
}

export interface MigrationResult {
  applied: number[];
  current: number;
}

function lockKey(schema: string): bigint {
  return createHash('sha256').update(`kyc-migrate:${schema}`).digest().readBigInt64BE(0);
}

export async function runMigrations(
  pool: Pool,
  schema: string,
  migrations: readonly Migration[],
  logger?: Logger,
  options: MigrationOptions = {},
): Promise<MigrationResult> {
  const versions = migrations.map((m) => m.version);
  if (new Set(versions).size !== versions.length) throw new Error(`duplicate migration versions in schema ${schema}`);
  const ordered = [...migrations].sort((a, b) => a.version - b.version);
  const s = ident(schema);
  const client = await pool.connect();
  const key = lockKey(schema).toString();
  // Start-up work, not a request: a migration, or the wait for another replica's, may outlast a request's budget.
  const restoreBudgets = await liftRequestBudgets(client);
  try {
    await client.query('SELECT pg_advisory_lock($1::bigint)', [key]);
    await client.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (
         version integer PRIMARY KEY, name text NOT NULL, checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const done = await client.query<{ version: number; checksum: string }>(`SELECT version, checksum FROM ${s}.schema_migrations`);
    const applied = new Map(done.rows.map((row) => [row.version, row.checksum]));
    // Every pending migration is checked before the first runs: a refused release leaves the schema as it was.
    for (const migration of ordered) {
      const reason = applied.has(migration.version) ? undefined : incompatibility(schema, migration);
      if (reason) throw new Error(`refused: ${reason}`);
    }
    const newlyApplied: number[] = [];
    for (const migration of ordered) {
      const checksum = createHash('sha256')
        .update(typeof migration.up === 'string' ? migration.up : migration.up.toString())
        .digest('hex');
      const previous = applied.get(migration.version);
      if (previous !== undefined) {
        if (previous !== checksum) logger?.warn({ schema, version: migration.version }, 'applied migration has changed since it ran');
        continue;
      }
      await client.query('BEGIN');
      try {
        await client.query(`SET LOCAL search_path TO ${s}, public`);
        if (typeof migration.up === 'string') await client.query(migration.up);
        else await migration.up(client, schema);
        await client.query(`INSERT INTO ${s}.schema_migrations (version, name, checksum) VALUES ($1, $2, $3)`, [
          migration.version,
          migration.name,
          checksum,
        ]);
        await client.query('COMMIT');
      } catch (error) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw new Error(`migration ${schema} ${migration.version} (${migration.name}) failed`, { cause: error });
      }
      newlyApplied.push(migration.version);
      logger?.info({ schema, version: migration.version, name: migration.name }, 'migration applied');
    }
    // Every run, not only one that applied something: the grants reach tables of earlier runs too.
    if (options.grantTo) await grantAppRole(client, schema, options.grantTo);
    return { applied: newlyApplied, current: ordered.at(-1)?.version ?? 0 };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1::bigint)', [key]).catch(() => undefined);
    await restoreBudgets();
    client.release();
  }
}

/**
 * For a service whose migrations ran before it started, as another role (DATABASE_MIGRATIONS=external):
 * fails unless every migration it knows is recorded, so a pod never serves from a schema older than its
 * code (its own role could not migrate it).
 */
export async function checkMigrated(pool: Pool, schema: string, migrations: readonly Migration[]): Promise<MigrationResult> {
  let recorded: Set<number>;
  try {
    const { rows } = await pool.query<{ version: number }>(`SELECT version FROM ${ident(schema)}.schema_migrations`);
    recorded = new Set(rows.map((row) => row.version));
  } catch (error) {
    // Only a missing schema or table means "not migrated"; anything else (the database unreachable, a
    // refused connection) is said as what it is, or a pod's start-up log blames the migration step.
    const code = (error as { code?: string }).code;
    if (code !== '42P01' && code !== '3F000') throw error;
    throw new Error(`schema ${schema} is not migrated (DATABASE_MIGRATIONS=external: the migration step runs first)`, { cause: error });
  }
  const missing = migrations.map((m) => m.version).filter((version) => !recorded.has(version));
  if (missing.length > 0)
    throw new Error(
      `schema ${schema} lacks migrations ${missing.join(', ')} (DATABASE_MIGRATIONS=external: the migration step runs first)`,
    );
  return { applied: [], current: Math.max(0, ...migrations.map((m) => m.version)) };
}
