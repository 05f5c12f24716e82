// The tables of a service schema as the backup sees them, and the one COPY statement that both dumps a
// table and re-reads it after a restore: the same columns in the same order, so the restored table's
// checksum can be compared with the manifest's (docs/backup.md, "What a restore proves").
import { createHash } from 'node:crypto';
import { to as copyTo } from 'pg-copy-streams';
import type { PoolClient } from '../shared/index.js';
import { ident } from '../shared/index.js';

export interface TableShape {
  schema: string;
  table: string;
  /** Stored columns in attribute order (generated columns are computed again on restore). */
  columns: string[];
  /** The primary key's columns; without one the rows are ordered by their text form. */
  key: string[];
}

export async function tablesOf(client: PoolClient, schema: string): Promise<TableShape[]> {
  const { rows } = await client.query<{ table: string; columns: string[]; key: string[] | null }>(
    `SELECT c.relname AS table,
            array(SELECT a.attname::text FROM pg_attribute a
                   WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped AND a.attgenerated = ''
                   ORDER BY a.attnum) AS columns,
            (SELECT array(SELECT a.attname::text FROM unnest(i.indkey) WITH ORDINALITY k(attnum, n)
                            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum ORDER BY k.n)
               FROM pg_index i WHERE i.indrelid = c.oid AND i.indisprimary) AS key
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = $1 AND c.relkind IN ('r', 'p') AND NOT c.relispartition
      ORDER BY c.relname`,
    [schema],
  );
  return rows.map((row) => ({ schema, table: row.table, columns: row.columns, key: row.key ?? [] }));
}

export function copyOutSql(shape: TableShape): string {
  const columns = shape.columns.map(ident).join(', ');
  const order = shape.key.length > 0 ? shape.key.map(ident).join(', ') : 't::text';
  return `COPY (SELECT ${columns} FROM ${ident(shape.schema)}.${ident(shape.table)} AS t ORDER BY ${order}) TO STDOUT`;
}

export interface TableDigest {
  rows: number;
  bytes: number;
  sha256: string;
}

/** Streams a table's COPY text to `onChunk` (when given) and returns its row count, size and SHA-256. */
export async function copyOut(client: PoolClient, shape: TableShape, onChunk?: (chunk: Buffer) => Promise<void>): Promise<TableDigest> {
  const hash = createHash('sha256');
  let rows = 0;
  let bytes = 0;
  const stream = client.query(copyTo(copyOutSql(shape)));
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    hash.update(chunk);
    bytes += chunk.length;
    // COPY's text format escapes newlines inside values: each row ends with the only raw one.
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) rows++;
    await onChunk?.(chunk);
  }
  return { rows, bytes, sha256: hash.digest('hex') };
}
