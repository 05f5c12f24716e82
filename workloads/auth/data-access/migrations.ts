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
];
