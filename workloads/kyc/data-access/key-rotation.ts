// Master-key rotation. Put a new key first in PII_ENCRYPTION_KEYS and restart: this job then moves every
// envelope still wrapped by an older key to the new one (re-wrapping only the data key; the record's
// ciphertext is untouched) and recomputes the blind indexes under the new key. Once no row names the
// old key id, the old key can leave the ring. Batches run in short transactions; a transaction-scoped
// advisory lock keeps replicas from doing the same rows twice. Records sealed under a parked data key
// (docs/security.md, "Writes while the KMS is away") move the same way once the KMS has unwrapped it;
// until then they are left where they are.
import { createHash } from 'node:crypto';
import { ident, withTransaction } from '../../shared/index.js';
import type { Pool, PoolClient } from '../../shared/index.js';
import type { ApplicantData } from '../domain/ports.js';
import { blindIndex, keyIdOf, openText, rewrap } from '../domain/protection/envelope.js';
import type { KeyRing } from '../domain/protection/key-ring.js';
import { applicantContext, vaultContext } from './envelope-contexts.js';
import { SEALED_PREFIX } from './sealed-idempotency-store.js';

export interface RotationProgress {
  applicants: number;
  vault: number;
  documents: number;
  /** Stored idempotent responses (kept 24 h, sealed with the ring too). */
  idempotency: number;
}

/** The key id inside a sealed idempotent response (`sealed:v1:` + base64 envelope; see SealedIdempotencyStore). */
const IDEMPOTENCY_KEY_ID = `convert_from(substring(decode(substr(response->>'body', 11), 'base64') FROM 3 FOR get_byte(decode(substr(response->>'body', 11), 'base64'), 1)), 'UTF8')`;
const SEALED_RESPONSE = `response->>'body' LIKE 'sealed:v1:%'`;
/** The key id of a stored idempotent response, NULL for one not sealed (safe in any WHERE clause). */
export const SEALED_RESPONSE_KEY_ID = `CASE WHEN ${SEALED_RESPONSE} THEN ${IDEMPOTENCY_KEY_ID} END`;

export class KeyRotation {
  private readonly s: string;
  private readonly lockKey: string;
  private stopped = false;

  constructor(
    private readonly pool: Pool,
    schema: string,
    private readonly ring: KeyRing,
  ) {
    this.s = ident(schema);
    this.lockKey = createHash('sha256').update(`kyc-key-rotation:${schema}`).digest().readBigInt64BE(0).toString();
  }

  /** Rows whose envelopes are wrapped by a key other than the current one. */
  async remaining(): Promise<RotationProgress> {
    const current = this.ring.current.id;
    const count = async (table: string) =>
      (await this.pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${this.s}.${table} WHERE key_id <> $1`, [current])).rows[0]
        ?.n ?? 0;
    const idempotency =
      (
        await this.pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM ${this.s}.idempotency_keys WHERE ${SEALED_RESPONSE} AND ${IDEMPOTENCY_KEY_ID} <> $1`,
          [current],
        )
      ).rows[0]?.n ?? 0;
    return { applicants: await count('applicants'), vault: await count('aadhaar_vault'), documents: await count('documents'), idempotency };
  }

  /**
   * Key ids that stored records are still encrypted with but the ring lacks. Not empty means a key
   * left the ring too early (before the rotation pass moved everything off it): those records would
   * not decrypt, so the service refuses to start and the old key must go back into the ring.
   */
  async missingKeys(): Promise<string[]> {
    const { rows } = await this.pool.query<{ key_id: string }>(
      `SELECT DISTINCT key_id FROM (
         SELECT key_id FROM ${this.s}.applicants UNION ALL SELECT key_id FROM ${this.s}.aadhaar_vault
         UNION ALL SELECT key_id FROM ${this.s}.documents
         UNION ALL SELECT ${IDEMPOTENCY_KEY_ID} AS key_id FROM ${this.s}.idempotency_keys WHERE ${SEALED_RESPONSE} AND expires_at > now()
       ) used WHERE key_id <> ALL($1::text[]) AND key_id NOT IN (SELECT id FROM ${this.s}.pii_parked_keys) ORDER BY key_id`,
      [this.ring.keys.map((k) => k.id)],
    );
    return rows.map((r) => r.key_id);
  }

  /** One batch per table; returns how many rows moved (0 when done or another replica holds the lock). */
  async step(batchSize = 100): Promise<number> {
    return withTransaction(this.pool, async (client) => {
      const locked = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_xact_lock($1::bigint) AS locked', [this.lockKey]);
      if (!locked.rows[0]?.locked) return 0;
      return (
        (await this.applicants(client, batchSize)) +
        (await this.vault(client, batchSize)) +
        (await this.documents(client, batchSize)) +
        (await this.idempotency(client, batchSize))
      );
    });
  }

  /** Runs batches until nothing is left (or `stop`); returns the number of rows moved. */
  async run(batchSize = 100): Promise<number> {
    let total = 0;
    while (!this.stopped) {
      const moved = await this.step(batchSize);
      if (moved === 0) break;
      total += moved;
    }
    return total;
  }

  /** Ends `run` after the batch in progress. */
  stop(): void {
    this.stopped = true;
  }

  /** The key ids the ring opens now: a parked key the KMS has not unwrapped yet is not among them. */
  private openable(): string[] {
    return this.ring.keys.map((k) => k.id);
  }

  private async applicants(client: PoolClient, limit: number): Promise<number> {
    const { rows } = await client.query<{ application_id: string; data_enc: Buffer }>(
      `SELECT application_id, data_enc FROM ${this.s}.applicants WHERE key_id <> $1 AND key_id = ANY($3::text[]) LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [this.ring.current.id, limit, this.openable()],
    );
    for (const row of rows) {
      const data = JSON.parse(openText(this.ring, row.data_enc, applicantContext(row.application_id))) as ApplicantData;
      const sealed = rewrap(this.ring, row.data_enc);
      await client.query(`UPDATE ${this.s}.applicants SET data_enc = $2, key_id = $3, pan_index = $4 WHERE application_id = $1`, [
        row.application_id,
        sealed,
        keyIdOf(sealed),
        data.pan !== undefined ? blindIndex(this.ring, 'pan', data.pan) : null,
      ]);
    }
    return rows.length;
  }

  private async vault(client: PoolClient, limit: number): Promise<number> {
    const { rows } = await client.query<{ token: string; number_enc: Buffer }>(
      `SELECT token, number_enc FROM ${this.s}.aadhaar_vault WHERE key_id <> $1 AND key_id = ANY($3::text[]) LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [this.ring.current.id, limit, this.openable()],
    );
    for (const row of rows) {
      const number = openText(this.ring, row.number_enc, vaultContext(row.token));
      const sealed = rewrap(this.ring, row.number_enc);
      await client.query(`UPDATE ${this.s}.aadhaar_vault SET number_enc = $2, key_id = $3, blind_index = $4 WHERE token = $1`, [
        row.token,
        sealed,
        keyIdOf(sealed),
        blindIndex(this.ring, 'aadhaar', number),
      ]);
    }
    return rows.length;
  }

  private async documents(client: PoolClient, limit: number): Promise<number> {
    const { rows } = await client.query<{ id: string; content_enc: Buffer }>(
      `SELECT id, content_enc FROM ${this.s}.documents WHERE key_id <> $1 AND key_id = ANY($3::text[]) LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [this.ring.current.id, limit, this.openable()],
    );
    for (const row of rows) {
      const sealed = rewrap(this.ring, row.content_enc);
      await client.query(`UPDATE ${this.s}.documents SET content_enc = $2, key_id = $3 WHERE id = $1`, [row.id, sealed, keyIdOf(sealed)]);
    }
    return rows.length;
  }

  /** Idempotent responses are kept 24 h for replays: they move to the current key like everything else. */
  private async idempotency(client: PoolClient, limit: number): Promise<number> {
    const { rows } = await client.query<{ scope: string; key: string; body: string }>(
      `SELECT scope, key, response->>'body' AS body FROM ${this.s}.idempotency_keys
        WHERE ${SEALED_RESPONSE} AND ${IDEMPOTENCY_KEY_ID} <> $1 AND ${IDEMPOTENCY_KEY_ID} = ANY($3::text[]) LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [this.ring.current.id, limit, this.openable()],
    );
    for (const row of rows) {
      const sealed = rewrap(this.ring, Buffer.from(row.body.slice(SEALED_PREFIX.length), 'base64'));
      await client.query(
        `UPDATE ${this.s}.idempotency_keys SET response = jsonb_set(response, '{body}', to_jsonb($3::text)) WHERE scope = $1 AND key = $2`,
        [row.scope, row.key, `${SEALED_PREFIX}${sealed.toString('base64')}`],
      );
    }
    return rows.length;
  }
}
