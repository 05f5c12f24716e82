// The service schemas a backup holds and the migrations that recreate them on restore.
import { ANALYTICS_SCHEMA, migrations as analytics } from '../analytics/data-access/migrations.js';
import { AUTH_SCHEMA, migrations as auth } from '../auth/data-access/migrations.js';
import { KYC_SCHEMA, migrations as kyc } from '../kyc/data-access/migrations.js';
import { NOTIFICATION_SCHEMA, migrations as notification } from '../notification/data-access/migrations.js';
import type { Migration } from '../shared/index.js';

export const SERVICE_SCHEMAS: ReadonlyMap<string, readonly Migration[]> = new Map([
  [AUTH_SCHEMA, auth],
  [KYC_SCHEMA, kyc],
  [NOTIFICATION_SCHEMA, notification],
  [ANALYTICS_SCHEMA, analytics],
]);
