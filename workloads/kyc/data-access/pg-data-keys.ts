// The wrapped PII data keys in PostgreSQL (table pii_data_keys, migration `pii_data_keys`): only what the
// KMS wrapped is stored, never a clear key (docs/security.md, "Keys held by a KMS").
import { ident } from '../../shared/index.js';
import type { Pool } from '../../shared/index.js';
import type { DataKeyStore, StoredDataKey, WrappedDataKey } from '../domain/protection/kms.js';

export class PgDataKeyStore implements DataKeyStore {
  private readonly table: string;

  constructor(
    private readonly pool: Pool,
    schema: string,
  ) {
    this.table = `${ident(schema)}.pii_data_keys`;
  }

  async list(): Promise<StoredDataKey[]> {
    const { rows } = await this.pool.query<{ id: string; kms_key_id: string; wrapped: Buffer; active: boolean; rewrapped_at: Date }>(
      `SELECT id, kms_key_id, wrapped, active, rewrapped_at FROM ${this.table} ORDER BY created_at`,
    );
    return rows.map((r) => ({
      id: r.id,
      wrapped: { kmsKeyId: r.kms_key_id, ciphertext: r.wrapped },
      active: r.active,
      rewrappedAt: r.rewrapped_at,
    }));
  }

  async insertActive(key: { id: string; wrapped: WrappedDataKey }): Promise<void> {
    // The partial unique index on `active` makes a second replica's key lose; it then uses the first's.
    await this.pool.query(`INSERT INTO ${this.table} (id, kms_key_id, wrapped, active) VALUES ($1, $2, $3, true) ON CONFLICT DO NOTHING`, [
      key.id,
      key.wrapped.kmsKeyId,
      key.wrapped.ciphertext,
    ]);
  }

  async replaceWrapped(id: string, from: WrappedDataKey, to: WrappedDataKey): Promise<boolean> {
    const { rowCount } = await this.pool.query(
      `UPDATE ${this.table} SET kms_key_id = $3, wrapped = $4, rewrapped_at = now() WHERE id = $1 AND wrapped = $2`,
      [id, from.ciphertext, to.kmsKeyId, to.ciphertext],
    );
    return rowCount === 1;
  }
}

/** The table (expand-only: a new table nothing else reads; docs/releases.md, "Schema changes"). */
export const PII_DATA_KEYS_SQL = `
  CREATE TABLE pii_data_keys (
    id text PRIMARY KEY,
    kms_key_id text NOT NULL,
    wrapped bytea NOT NULL,
    active boolean NOT NULL DEFAULT false,
    created_at timestamptz NOT NULL DEFAULT now(),
    rewrapped_at timestamptz NOT NULL DEFAULT now()
  );
  CREATE UNIQUE INDEX pii_data_keys_one_active ON pii_data_keys (active) WHERE active;`;
