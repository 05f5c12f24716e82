// Migrations 6 and 7 of the notification schema: what a customer's erasure request (data-access/erasure.ts)
// and the message log's retention (data-access/retention.ts) need (docs/retention.md).
/**
 * The migration (expand only: two nullable columns and a new table; the version before it neither reads nor
 * writes them): `erasures` holds each handled request's id and when (nothing about the customer);
 * `erased_at` marks a pseudonymised row.
 */
export const NOTIFICATION_ERASURE_SQL = `
  ALTER TABLE notifications ADD COLUMN erased_at timestamptz;
  ALTER TABLE dead_letters ADD COLUMN erased_at timestamptz;
  CREATE TABLE erasures (
    request_id uuid PRIMARY KEY,
    completed_at timestamptz NOT NULL
  );
`;

/**
 * Migration 7, expand only (new tables): the customers under a legal hold (as kyc announced them; the id
 * only, the reason stays in kyc) and the record of each retention run that deleted something.
 */
export const NOTIFICATION_RETENTION_SQL = `
  CREATE TABLE legal_holds (
    user_id text PRIMARY KEY,
    placed_at timestamptz NOT NULL
  );
  CREATE TABLE retention_runs (
    id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    ran_at timestamptz NOT NULL,
    cutoff timestamptz NOT NULL,
    messages_deleted integer NOT NULL,
    dead_letters_deleted integer NOT NULL,
    held integer NOT NULL
  );
  CREATE INDEX notifications_created ON notifications (created_at);
`;
