// Migration 6 of the notification schema: what a customer's erasure request needs (data-access/erasure.ts,
// docs/retention.md).
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
