// The wrapped PII data keys in PostgreSQL (table pii_data_keys, migration `pii_data_keys`): only what the
// KMS wrapped is stored, never a clear key (docs/security.md, "Keys held by a KMS").
import { ident } from '../../shared/index.js';
import type { Pool } from '../../shared/index.js';
import type { DataKeyStore, ParkedDataKey, ParkedKeyStore, StoredDataKey, WrappedDataKey } from '../domain/protection/kms.js';
import { SEALED_RESPONSE_KEY_ID } from './key-rotation.js';

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

/**
 * Parked data keys (table pii_parked_keys, migration `pii_parked_keys`): only their RSA wrapping under the
 * KMS's parking key is stored (docs/security.md, "Writes while the KMS is away").
 */
export class PgParkedKeyStore implements ParkedKeyStore {
  private readonly s: string;

  constructor(
    private readonly pool: Pool,
    schema: string,
  ) {
    this.s = ident(schema);
  }

  async listParked(): Promise<ParkedDataKey[]> {
    const { rows } = await this.pool.query<{ id: string; kms_key_id: string; wrapped: Buffer }>(
      `SELECT id, kms_key_id, wrapped FROM ${this.s}.pii_parked_keys ORDER BY created_at`,
    );
    return rows.map((r) => ({ id: r.id, wrapped: { kmsKeyId: r.kms_key_id, ciphertext: r.wrapped } }));
  }

  async insertParked(key: ParkedDataKey): Promise<void> {
    await this.pool.query(`INSERT INTO ${this.s}.pii_parked_keys (id, kms_key_id, wrapped) VALUES ($1, $2, $3)`, [
      key.id,
      key.wrapped.kmsKeyId,
      key.wrapped.ciphertext,
    ]);
  }

  async retire(id: string): Promise<void> {
    await this.pool.query(`UPDATE ${this.s}.pii_parked_keys SET retired_at = now() WHERE id = $1 AND retired_at IS NULL`, [id]);
  }

  async deleteUnused(): Promise<string[]> {
    // Only retired keys: the pod that made one may still seal under it while its own KMS calls fail.
    const { rows } = await this.pool.query<{ id: string }>(
      `DELETE FROM ${this.s}.pii_parked_keys p WHERE retired_at IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM ${this.s}.applicants WHERE key_id = p.id)
          AND NOT EXISTS (SELECT 1 FROM ${this.s}.aadhaar_vault WHERE key_id = p.id)
          AND NOT EXISTS (SELECT 1 FROM ${this.s}.documents WHERE key_id = p.id)
          AND NOT EXISTS (SELECT 1 FROM ${this.s}.idempotency_keys WHERE ${SEALED_RESPONSE_KEY_ID} = p.id)
        RETURNING id`,
    );
    return rows.map((r) => r.id);
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

/** Parked data keys and the applications they hold back (expand-only: new tables nothing else reads; docs/releases.md, "Schema changes"). */
export const PII_PARKING_SQL = `
  CREATE TABLE pii_parked_keys (
    id text PRIMARY KEY,
    kms_key_id text NOT NULL,
    wrapped bytea NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    retired_at timestamptz
  );
  -- Applications whose automatic checks wait for their PII to be unparked (domain/automatic-processing.ts).
  CREATE TABLE parked_applications (
    application_id uuid PRIMARY KEY REFERENCES applications (id) ON DELETE CASCADE,
    parked_at timestamptz NOT NULL DEFAULT now()
  );`;
