// Restore into a fresh database (docs/backup.md, "Restore"), in two passes over the downloaded object:
// 1. verify: its size and SHA-256 against the manifest, the GCM tag, and the authenticated manifest inside
//    the envelope against the plain one — a corrupted or truncated backup is refused before anything is
//    written;
// 2. load: each schema is created by the image's own migrations (the versions the backup recorded), then
//    in ONE transaction the tables are emptied, filled by COPY, the sequences set, and every table read back
//    with the dump's own COPY statement: its row count and SHA-256 must equal the manifest's, or nothing is
//    committed.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import type { Writable } from 'node:stream';
import { from as copyFrom } from 'pg-copy-streams';
import type { Migration, Pool, PoolClient } from '../shared/index.js';
import { liftRequestBudgets } from '../shared/db.js';
import { ident, runMigrations } from '../shared/index.js';
import { CorruptBackupError, decryptStream } from './envelope.js';
import { FRAME, readFrames } from './frames.js';
import type { Frame } from './frames.js';
import { contentsOf } from './manifest.js';
import type { Manifest, TableEntry } from './manifest.js';
import { copyOut } from './tables.js';

function frames(path: string, key: Buffer, manifest: Manifest): AsyncGenerator<Frame> {
  const plain = createReadStream(path).pipe(decryptStream(key, manifest.id));
  return readFrames(plain as AsyncIterable<Buffer>);
}

/** Pass 1: fails with a CorruptBackupError unless the object is whole, authentic and the one the manifest describes. */
export async function verifyObject(path: string, key: Buffer, manifest: Manifest): Promise<void> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
  }
  if (bytes !== manifest.object.bytes)
    throw new CorruptBackupError(`the backup is truncated or padded: ${bytes} bytes, its manifest says ${manifest.object.bytes}`);
  if (hash.digest('hex') !== manifest.object.sha256) throw new CorruptBackupError("the backup's SHA-256 does not match its manifest");
  let inner: string | undefined;
  try {
    for await (const frame of frames(path, key, manifest)) if (frame.type === FRAME.manifest) inner = frame.payload.toString();
  } catch (error) {
    if (error instanceof CorruptBackupError) throw error;
    throw new CorruptBackupError(`the backup cannot be read: ${(error as Error).message}`, { cause: error });
  }
  if (inner !== contentsOf(manifest))
    throw new CorruptBackupError('manifest.json does not match the manifest authenticated inside the backup');
}

export interface RestoreResult {
  tables: number;
  rows: number;
  /** Schemas that were in the target and were dropped first (force only). */
  replaced: string[];
}

export interface RestoreOptions {
  /**
   * Replace service schemas the target already has (dropped only after the object verified). Without it a
   * target that has any of them is refused: a restore never overwrites data nobody asked it to.
   */
  force?: boolean;
}

export async function restoreInto(
  pool: Pool,
  path: string,
  key: Buffer,
  manifest: Manifest,
  migrationsOf: ReadonlyMap<string, readonly Migration[]>,
  options: RestoreOptions = {},
): Promise<RestoreResult> {
  await verifyObject(path, key, manifest);
  const replaced = await createSchemas(pool, manifest, migrationsOf, options.force ?? false);
  const client = await pool.connect();
  const restoreBudgets = await liftRequestBudgets(client);
  try {
    await client.query('BEGIN');
    // Triggers (the state-machine guard, the append-only audit trail) and foreign keys judge new writes;
    // the restored rows were judged when they were written. Needs superuser or, from PostgreSQL 15,
    // GRANT SET ON PARAMETER session_replication_role (docs/backup.md).
    await client.query('SET LOCAL session_replication_role = replica');
    for (const table of manifest.tables) await client.query(`DELETE FROM ${qualified(table)}`);
    await load(client, path, key, manifest);
    for (const sequence of manifest.sequences)
      if (sequence.value !== null)
        await client.query('SELECT setval($1::regclass, $2::bigint, true)', [
          `${ident(sequence.schema)}.${ident(sequence.name)}`,
          sequence.value,
        ]);
    let rows = 0;
    for (const table of manifest.tables) {
      const digest = await copyOut(client, {
        schema: table.schema,
        table: table.table,
        columns: table.columns,
        key: await keyOf(client, table),
      });
      if (digest.rows !== table.rows || digest.sha256 !== table.sha256)
        throw new Error(
          `restored ${table.schema}.${table.table} differs from the manifest: ${digest.rows} rows (manifest ${table.rows}), SHA-256 ${digest.sha256.slice(0, 12)}… (manifest ${table.sha256.slice(0, 12)}…)`,
        );
      rows += digest.rows;
    }
    await client.query('COMMIT');
    return { tables: manifest.tables.length, rows, replaced };
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await restoreBudgets();
    client.release();
  }
}

const qualified = (table: Pick<TableEntry, 'schema' | 'table'>): string => `${ident(table.schema)}.${ident(table.table)}`;

async function keyOf(client: PoolClient, table: TableEntry): Promise<string[]> {
  const { rows } = await client.query<{ key: string[] }>(
    `SELECT array(SELECT a.attname::text FROM unnest(i.indkey) WITH ORDINALITY k(attnum, n)
                   JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum ORDER BY k.n) AS key
       FROM pg_index i WHERE i.indrelid = $1::regclass AND i.indisprimary`,
    [qualified(table)],
  );
  return rows[0]?.key ?? [];
}

/** Why a restore did not start: the target holds data and force was not given. */
export class RestoreRefusedError extends Error {
  override name = 'RestoreRefusedError';
}

/**
 * The schemas, by the migrations the backup recorded. A target that has any service schema is refused, with
 * how many rows it holds, unless `force`: then they are dropped (CASCADE) first. Returns the dropped ones.
 */
async function createSchemas(
  pool: Pool,
  manifest: Manifest,
  migrationsOf: ReadonlyMap<string, readonly Migration[]>,
  force: boolean,
): Promise<string[]> {
  const names = manifest.schemas.map((entry) => entry.schema);
  const { rows } = await pool.query<{ nspname: string }>('SELECT nspname FROM pg_namespace WHERE nspname = ANY($1) ORDER BY nspname', [
    names,
  ]);
  const present = rows.map((row) => row.nspname);
  if (present.length > 0 && !force) {
    const { rows: held } = await pool.query<{ n: string }>(
      'SELECT coalesce(sum(n_live_tup), 0)::text AS n FROM pg_stat_user_tables WHERE schemaname = ANY($1)',
      [present],
    );
    throw new RestoreRefusedError(
      `refused: the target database already has the schemas ${present.join(', ')} (about ${held[0]?.n ?? '?'} rows): a restore goes into a fresh database; force replaces them`,
    );
  }
  for (const schema of present) await pool.query(`DROP SCHEMA ${ident(schema)} CASCADE`);
  for (const { schema, migrations: recorded } of manifest.schemas) {
    const known = migrationsOf.get(schema);
    if (!known) throw new Error(`the backup holds schema ${schema}, which this image has no migrations for`);
    const missing = recorded.filter((version) => !known.some((migration) => migration.version === version));
    if (missing.length > 0)
      throw new Error(
        `the backup's schema ${schema} has migrations ${missing.join(', ')} that this image does not know: restore with the image version the backup names (${manifest.imageVersion ?? 'unknown'})`,
      );
    await runMigrations(
      pool,
      schema,
      known.filter((migration) => recorded.includes(migration.version)),
    );
  }
  return present;
}

async function load(client: PoolClient, path: string, key: Buffer, manifest: Manifest): Promise<void> {
  let target: Writable | undefined;
  for await (const frame of frames(path, key, manifest)) {
    if (frame.type === FRAME.table) {
      const { schema, table, columns } = JSON.parse(frame.payload.toString()) as { schema: string; table: string; columns: string[] };
      target = client.query(copyFrom(`COPY ${qualified({ schema, table })} (${columns.map(ident).join(', ')}) FROM STDIN`));
    } else if (frame.type === FRAME.data) {
      if (!target) throw new CorruptBackupError('the backup has data outside a table');
      if (!target.write(frame.payload)) await once(target, 'drain');
    } else if (frame.type === FRAME.end) {
      if (!target) throw new CorruptBackupError('the backup ends a table it never started');
      target.end();
      await finished(target);
      target = undefined;
    }
  }
}
