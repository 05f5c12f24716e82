// The build-time half of expand/contract (docs/releases.md, "Schema changes: expand/contract"): every
// service's migrations are expand-only or marked contract steps, so a release never ships a migration the
// active version cannot run beside. (runMigrations refuses the same at start-up, before anything runs.)
import { describe, expect, it } from '@jest/globals';
import { ANALYTICS_SCHEMA, migrations as analytics } from './analytics/data-access/migrations.js';
import { AUTH_SCHEMA, migrations as auth } from './auth/data-access/migrations.js';
import { KYC_SCHEMA, migrations as kyc } from './kyc/data-access/migrations.js';
import { NOTIFICATION_SCHEMA, migrations as notification } from './notification/data-access/migrations.js';
import { incompatibility } from './shared/migration-compat.js';
import type { Migration } from './shared/migrate.js';

const schemas: [string, readonly Migration[]][] = [
  [ANALYTICS_SCHEMA, analytics],
  [AUTH_SCHEMA, auth],
  [KYC_SCHEMA, kyc],
  [NOTIFICATION_SCHEMA, notification],
];

describe('the services migrations run beside the version before them (expand/contract)', () => {
  it.each(schemas)('%s: no unmarked contract step', (schema, list) => {
    expect(list.map((migration) => incompatibility(schema, migration)).filter(Boolean)).toEqual([]);
  });
});
