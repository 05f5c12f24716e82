// The store contract (workloads/kyc/domain/testing/store-contract.ts) against PostgreSQL: the same cases the
// in-memory store passes in its unit test, here with the real schema, its state-machine trigger and
// constraints. One private database per run, one fresh schema per case, both dropped afterwards.
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe } from '@jest/globals';
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
    pool = createPool(db.url, { max: 4 });
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
});
