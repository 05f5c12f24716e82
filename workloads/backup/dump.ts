// The consistent dump (docs/backup.md, "How"): every service schema's tables, schema_migrations included,
// read in one REPEATABLE READ, READ ONLY transaction (one snapshot for all of them, and no lock that
// blocks the services' writes), written as frames (frames.ts) into `sink`, which encrypts them.
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import type { PoolClient } from '../shared/index.js';
import { liftRequestBudgets } from '../shared/db.js';
import { ident } from '../shared/index.js';
import { FRAME, frame } from './frames.js';
import type { FrameType } from './frames.js';
import { contentsOf } from './manifest.js';
import type { ManifestContents, TableEntry } from './manifest.js';
import { copyOut, tablesOf } from './tables.js';

export type DumpContents = Pick<ManifestContents, 'postgresVersion' | 'schemas' | 'tables' | 'sequences'>;

async function write(sink: Writable, type: FrameType, payload?: Buffer | string): Promise<void> {
  if (!sink.write(frame(type, payload))) await once(sink, 'drain');
}

/**
 * Dumps the `schemas` that exist in the database into `sink` and returns what the manifest says of them.
 * `finish` receives those contents and returns the full manifest contents, written as the last frame.
 */
export async function dumpSchemas(
  client: PoolClient,
  schemas: readonly string[],
  sink: Writable,
  finish: (dumped: DumpContents) => ManifestContents,
): Promise<ManifestContents> {
  const restoreBudgets = await liftRequestBudgets(client);
  try {
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    const { rows: present } = await client.query<{ nspname: string }>('SELECT nspname FROM pg_namespace WHERE nspname = ANY($1)', [
      [...schemas],
    ]);
    const existing = schemas.filter((schema) => present.some((row) => row.nspname === schema));
    const dumped: DumpContents = {
      postgresVersion: (await client.query<{ v: string }>('SHOW server_version')).rows[0]?.v ?? 'unknown',
      schemas: [],
      tables: [],
      sequences: [],
    };
    for (const schema of existing) {
      const migrations = await client
        .query<{ version: number }>(`SELECT version FROM ${ident(schema)}.schema_migrations ORDER BY version`)
        .then((result) => result.rows.map((row) => row.version))
        .catch(() => []);
      dumped.schemas.push({ schema, migrations });
      for (const shape of await tablesOf(client, schema)) {
        await write(sink, FRAME.table, JSON.stringify({ schema, table: shape.table, columns: shape.columns }));
        const digest = await copyOut(client, shape, (chunk) => write(sink, FRAME.data, chunk));
        await write(sink, FRAME.end);
        const entry: TableEntry = { schema, table: shape.table, columns: shape.columns, ...digest };
        dumped.tables.push(entry);
      }
      const { rows: sequences } = await client.query<{ name: string; value: string | null }>(
        'SELECT sequencename AS name, last_value::text AS value FROM pg_sequences WHERE schemaname = $1 ORDER BY sequencename',
        [schema],
      );
      dumped.sequences.push(...sequences.map((row) => ({ schema, ...row })));
    }
    await client.query('COMMIT');
    const contents = finish(dumped);
    await write(sink, FRAME.manifest, contentsOf(contents));
    return contents;
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await restoreBudgets();
  }
}
