import { idempotencyMigration } from '../../shared/index.js';
import type { Migration } from '../../shared/index.js';

export const AUTH_SCHEMA = 'auth';

/** Tables the service only appends to: its role may read and insert, never update or delete (docs/security.md). */
export const AUTH_APPEND_ONLY_TABLES = ['account_changes'] as const;

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'users',
    up: `CREATE TABLE users (
           id uuid PRIMARY KEY,
           email text NOT NULL,
           password_hash text NOT NULL,
           role text NOT NULL CHECK (role IN ('customer', 'maker', 'checker', 'admin')),
           name text,
           created_by text,
           created_at timestamptz NOT NULL DEFAULT now(),
           disabled_at timestamptz
         );
         CREATE UNIQUE INDEX users_email ON users (lower(email));
         CREATE INDEX users_role ON users (role);`,
  },
  idempotencyMigration(2),
  {
    version: 3,
    name: 'staff_id_maker_checker_separation',
    // Maker-checker needs two people: a staff member (by the bank's staff id) has at most one active
    // maker-or-checker account. A unique index makes it hold under concurrent admin requests too.
    up: `ALTER TABLE users ADD COLUMN staff_id text CHECK (staff_id IS NULL OR length(staff_id) BETWEEN 1 AND 64);
         CREATE UNIQUE INDEX users_one_review_role_per_person ON users (lower(staff_id))
           WHERE role IN ('maker', 'checker') AND disabled_at IS NULL;`,
  },
  {
    version: 4,
    name: 'account_changes_audit',
    // Append-only, as kyc's audit trail: an admin's role change, disable or enable of another account,
    // written in the transaction of the change (docs/frontend.md, "The admin's pages").
    up: `CREATE TABLE account_changes (
           id bigserial PRIMARY KEY,
           actor_id text NOT NULL,
           user_id uuid NOT NULL,
           action text NOT NULL CHECK (action IN ('role', 'disable', 'enable')),
           role_before text NOT NULL,
           role_after text NOT NULL,
           staff_id_before text,
           staff_id_after text,
           at timestamptz NOT NULL DEFAULT now()
         );
         CREATE INDEX account_changes_user ON account_changes (user_id, id);
         CREATE FUNCTION account_changes_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
           RAISE EXCEPTION 'the account audit is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
         END $$;
         CREATE TRIGGER account_changes_no_update_or_delete BEFORE UPDATE OR DELETE ON account_changes
           FOR EACH ROW EXECUTE FUNCTION account_changes_is_append_only();
         CREATE TRIGGER account_changes_no_truncate BEFORE TRUNCATE ON account_changes
           FOR EACH STATEMENT EXECUTE FUNCTION account_changes_is_append_only();
         REVOKE UPDATE, DELETE, TRUNCATE ON account_changes FROM PUBLIC;`,
  },
];
