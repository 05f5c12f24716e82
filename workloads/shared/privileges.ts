// What a service's own PostgreSQL role may do in its schema when the platform gives each service its own
// credential (docs/security.md, "Per-service credentials"). The migration role owns the schema and
// everything in it; the service's role gets rows, never objects: it cannot drop or alter a table, a
// trigger (the state machine, the audit trail's guards) or a function, because only an owner can. On the
// append-only tables it may only read and insert, and it reads the migration ledger without writing it.
import type { PoolClient } from 'pg';
import { ident } from './db.js';

export interface AppRoleGrant {
  /** The service's role (the user of its own DATABASE_URL). */
  role: string;
  /** Tables of the schema the service only appends to (SELECT and INSERT, no UPDATE or DELETE). */
  appendOnly?: readonly string[];
}

/** The statements that give `grant.role` its rows in `schema`; run by the owner after every migration run (idempotent). */
export function appRoleGrants(schema: string, grant: AppRoleGrant): string[] {
  const s = ident(schema);
  const r = ident(grant.role);
  return [
    `GRANT USAGE ON SCHEMA ${s} TO ${r}`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${s} TO ${r}`,
    // nextval() for serial keys (the outbox, the audit trail).
    `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA ${s} TO ${r}`,
    `REVOKE INSERT, UPDATE, DELETE ON ${s}.schema_migrations FROM ${r}`,
    ...(grant.appendOnly ?? []).map((table) => `REVOKE UPDATE, DELETE ON ${s}.${ident(table)} FROM ${r}`),
  ];
}

export async function grantAppRole(client: PoolClient, schema: string, grant: AppRoleGrant): Promise<void> {
  for (const statement of appRoleGrants(schema, grant)) await client.query(statement);
}

/** The role a PostgreSQL URL logs in as (the service's role, named by its own DATABASE_URL). */
export function roleOf(url: string): string {
  const user = decodeURIComponent(new URL(url).username);
  if (!user) throw new Error('the database URL names no user');
  return user;
}
