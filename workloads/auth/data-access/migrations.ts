import { idempotencyMigration } from '../../shared/index.js';
import type { Migration } from '../../shared/index.js';

export const AUTH_SCHEMA = 'auth';

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
];
