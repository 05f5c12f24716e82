import { outboxMigration } from '../../shared/index.js';
import type { Migration } from '../../shared/index.js';

export const NOTIFICATION_SCHEMA = 'notification';

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'notifications',
    up: `CREATE TABLE notifications (
           id uuid PRIMARY KEY,
           event_id uuid NOT NULL,
           event_type text NOT NULL,
           user_id text NOT NULL,
           channel text NOT NULL CHECK (channel IN ('email', 'sms')),
           template text NOT NULL,
           status text NOT NULL CHECK (status IN ('requested', 'sent', 'failed')),
           error text,
           created_at timestamptz NOT NULL DEFAULT now(),
           updated_at timestamptz NOT NULL DEFAULT now(),
           UNIQUE (event_id, channel)
         );
         CREATE INDEX notifications_user ON notifications (user_id, created_at DESC);`,
  },
  outboxMigration(2),
  {
    // Only widens the CHECK, so the version before it, which never writes 'suppressed', runs beside it.
    version: 3,
    name: 'suppressed status',
    up: `ALTER TABLE notifications DROP CONSTRAINT notifications_status_check;
         ALTER TABLE notifications ADD CONSTRAINT notifications_status_check CHECK (status IN ('requested', 'sent', 'failed', 'suppressed'));`,
  },
];
