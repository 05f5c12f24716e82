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
  {
    // Expand only (docs/releases.md): a nullable column and two new tables; the version before it
    // neither reads nor writes them.
    // send_started_at: set before a message is handed to its provider, so that after a crash a provider
    // without idempotency keys (SMTP) is not handed it again (docs/notifications.md, "Nothing twice").
    // dead_letters: messages given up on, without address or content. contacts: the recipients'
    // addresses, AES-256-GCM ciphertext only (data-access/contacts.ts).
    version: 4,
    name: 'dead letters, send start, contacts',
    up: `ALTER TABLE notifications ADD COLUMN send_started_at timestamptz;
         CREATE TABLE dead_letters (
           notification_id uuid PRIMARY KEY REFERENCES notifications (id),
           event_id uuid NOT NULL,
           event_type text NOT NULL,
           user_id text NOT NULL,
           channel text NOT NULL,
           template text NOT NULL,
           reason text NOT NULL CHECK (reason IN ('exhausted', 'uncertain')),
           tries integer NOT NULL,
           error text NOT NULL,
           created_at timestamptz NOT NULL DEFAULT now()
         );
         CREATE INDEX dead_letters_created ON dead_letters (created_at DESC);
         CREATE TABLE contacts (
           user_id text NOT NULL,
           channel text NOT NULL CHECK (channel IN ('email', 'sms')),
           key_id text NOT NULL,
           sealed bytea NOT NULL,
           updated_at timestamptz NOT NULL DEFAULT now(),
           PRIMARY KEY (user_id, channel)
         );`,
  },
];
