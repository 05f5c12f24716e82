// Expand/contract at start-up (docs/releases.md, "Schema changes: expand/contract"), on real PostgreSQL: a
// new version whose pending migrations contract the schema is refused before any of them runs, and the
// schema the active version uses stays as it was; marked as a contract step, the same migration runs.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createPool, runMigrations } from '../../../workloads/shared/index.js';
import type { Migration, Pool } from '../../../workloads/shared/index.js';
import { createTestDatabase } from './support.js';
import type { TestDatabase } from './support.js';

describe('runMigrations refuses a contract step the active version cannot run beside', () => {
  let db: TestDatabase;
  let pool: Pool;
  const active: Migration[] = [{ version: 1, name: 'applications', up: 'CREATE TABLE applications (id uuid PRIMARY KEY, findings jsonb)' }];
  const expand: Migration = { version: 2, name: 'channel', up: 'ALTER TABLE applications ADD COLUMN channel text' };
  const contract: Migration = { version: 3, name: 'drop findings', up: 'ALTER TABLE applications DROP COLUMN findings' };

  const columns = async (): Promise<string[]> =>
    (
      await pool.query<{ column_name: string }>(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'release_test' AND table_name = 'applications' ORDER BY column_name",
      )
    ).rows.map((r) => r.column_name);
  const versions = async (): Promise<number[]> =>
    (await pool.query<{ version: number }>('SELECT version FROM release_test.schema_migrations ORDER BY version')).rows.map(
      (r) => r.version,
    );

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = createPool(db.url);
    await runMigrations(pool, 'release_test', active);
  }, 30_000);

  afterAll(async () => {
    await pool?.end();
    await db?.drop();
  });

  it('when the new version drops a column the active one reads, then nothing runs, not even its expand step, and the reason names the operation', async () => {
    await expect(runMigrations(pool, 'release_test', [...active, expand, contract])).rejects.toThrow(
      /refused: migration release_test 3 \(drop findings\) contracts the schema while the active version may still use it: DROP COLUMN/,
    );
    expect(await columns()).toEqual(['findings', 'id']);
    expect(await versions()).toEqual([1]);
  });

  it('when the step is marked contract (a later release, nothing uses the column any more), then it runs', async () => {
    await runMigrations(pool, 'release_test', [...active, expand, { ...contract, contract: 'no running version reads findings' }]);
    expect(await columns()).toEqual(['channel', 'id']);
    expect(await versions()).toEqual([1, 2, 3]);
  });
});
