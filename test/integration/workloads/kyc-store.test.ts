// The store contract (workloads/kyc/domain/testing/store-contract.ts) against PostgreSQL: the same cases the
// in-memory store passes in its unit test, here with the real schema, its state-machine trigger and
// constraints. One private database per run, one fresh schema per case, both dropped afterwards.
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createPool, ident } from '../../../workloads/shared/db.js';
import type { Pool } from '../../../workloads/shared/db.js';
import { runMigrations } from '../../../workloads/shared/migrate.js';
import { migrations } from '../../../workloads/kyc/data-access/migrations.js';
import { PgKycStore } from '../../../workloads/kyc/data-access/pg-store.js';
import { parseKeyRing } from '../../../workloads/kyc/domain/protection/key-ring.js';
import { kycStoreContract } from '../../../workloads/kyc/domain/testing/store-contract.js';
import { createTestDatabase, suffix } from './support.js';
import type { TestDatabase } from './support.js';

const keyRing = parseKeyRing(`k1:${randomBytes(32).toString('base64')}`);

describe('PgKycStore', () => {
  let db: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    db = await createTestDatabase();
    // Pipelined as kyc's own pool (main.ts): the contract holds with several statements per round trip.
    pool = createPool(db.url, { max: 4, pipeline: true });
  });

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  kycStoreContract(async () => {
    const schema = `kyc_contract_${suffix()}`;
    await runMigrations(pool, schema, migrations);
    return {
      store: new PgKycStore({ pool, schema, keyRing, topicPrefix: 'contract.' }),
      close: async () => {
        await pool.query(`DROP SCHEMA ${ident(schema)} CASCADE`);
      },
    };
  });

  it('when a write nobody waits for is refused at COMMIT, then nothing of the transaction is written and its error is reported', async () => {
    const schema = `kyc_pipeline_${suffix()}`;
    await runMigrations(pool, schema, migrations);
    try {
      const store = new PgKycStore({ pool, schema, keyRing, topicPrefix: 'contract.' });
      const id = randomUUID();
      await store.transaction((tx) => tx.insertApplication({ id, ownerId: 'owner-1', expiresAt: new Date(Date.now() + 86_400_000) }));
      const failed = store.transaction(async (tx) => {
        await tx.audit({ applicationId: id, actorId: 'owner-1', actorRole: 'customer', action: 'update_applicant' });
        await tx.publish({ type: 'kyc.application.created', subject: id, actor: 'owner-1', data: { applicationId: id } });
        // No such application: the foreign key refuses the row, when the batch reaches PostgreSQL with COMMIT.
        await tx.writeApplicant(randomUUID(), { name: 'Kavya Raghunathan' });
      });
      await expect(failed).rejects.toMatchObject({ code: '23503' });
      const { rows } = await pool.query<{ audit: number; outbox: number }>(
        `SELECT (SELECT count(*)::int FROM ${ident(schema)}.audit_trail) AS audit, (SELECT count(*)::int FROM ${ident(schema)}.outbox) AS outbox`,
      );
      expect(rows[0]).toEqual({ audit: 0, outbox: 0 });
    } finally {
      await pool.query(`DROP SCHEMA ${ident(schema)} CASCADE`);
    }
  });
});
