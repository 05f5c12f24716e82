// The migration step of a platform with per-service credentials (docs/security.md, "Per-service
// credentials"): `node dist/workloads/main.js migrate <component>`, run by the operator as the pod's init
// container before the service starts. It connects as the owner role (DATABASE_URL, the Secret's
// `migrate-url`), migrates the component's schema and grants the service's own role (the user of
// DATABASE_APP_URL, the Secret's `<component>-url`) its rows; the service then starts with
// DATABASE_MIGRATIONS=external and never holds the owner's credential.
import { z } from 'zod';
import { ANALYTICS_SCHEMA, migrations as analyticsMigrations } from './analytics/data-access/migrations.js';
import { AUTH_APPEND_ONLY_TABLES, AUTH_SCHEMA, migrations as authMigrations } from './auth/data-access/migrations.js';
import { APPEND_ONLY_TABLES, KYC_SCHEMA, migrations as kycMigrations } from './kyc/data-access/migrations.js';
import { NOTIFICATION_SCHEMA, migrations as notificationMigrations } from './notification/data-access/migrations.js';
import { createLogger, createPool, loadConfig, roleOf, runMigrations, schemas } from './shared/index.js';
import type { Env, Migration, MigrationResult } from './shared/index.js';

interface ComponentSchema {
  schema: string;
  migrations: readonly Migration[];
  appendOnly?: readonly string[];
}

/** The schema each component with a database owns. */
export const COMPONENT_SCHEMAS = {
  kyc: { schema: KYC_SCHEMA, migrations: kycMigrations, appendOnly: APPEND_ONLY_TABLES },
  auth: { schema: AUTH_SCHEMA, migrations: authMigrations, appendOnly: AUTH_APPEND_ONLY_TABLES },
  notification: { schema: NOTIFICATION_SCHEMA, migrations: notificationMigrations },
  analytics: { schema: ANALYTICS_SCHEMA, migrations: analyticsMigrations },
} as const satisfies Record<string, ComponentSchema>;

export type MigratedComponent = keyof typeof COMPONENT_SCHEMAS;

const migrateEnv = z.object({
  /** The owner role's URL. */
  DATABASE_URL: schemas.postgresUrl,
  /** The service's own URL: its user is granted its rows. Unset: no grants (a single credential). */
  DATABASE_APP_URL: schemas.postgresUrl.optional(),
  LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
});

export async function migrateComponent(component: string, env: Env = process.env): Promise<MigrationResult> {
  if (!Object.hasOwn(COMPONENT_SCHEMAS, component))
    throw new Error(`${component} has no database to migrate (one of ${Object.keys(COMPONENT_SCHEMAS).join(', ')})`);
  const { schema, migrations, ...rest } = COMPONENT_SCHEMAS[component as MigratedComponent] as ComponentSchema;
  const config = loadConfig(migrateEnv, env);
  const logger = createLogger({ component: `${component}-migrate`, level: config.LOG_LEVEL });
  const pool = createPool(config.DATABASE_URL, { max: 1, applicationName: `kyc-${component}-migrate` });
  try {
    const grantTo = config.DATABASE_APP_URL === undefined ? undefined : { role: roleOf(config.DATABASE_APP_URL), ...rest };
    const result = await runMigrations(pool, schema, migrations, logger, grantTo && { grantTo });
    logger.info({ schema, current: result.current, applied: result.applied, grantedTo: grantTo?.role }, 'schema migrated');
    return result;
  } finally {
    await pool.end();
  }
}
