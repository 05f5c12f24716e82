import { outboxMigration } from '../../shared/index.js';
import { NOTIFICATION_ERASURE_SQL, NOTIFICATION_RETENTION_SQL } from './erasure-migration.js';
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
  {
    // Expand only: two new tables. Outbound webhooks (docs/customer-api.md, "Webhooks"): the signing secret
    // only sealed (AES-256-GCM, data-access/webhooks.ts); one delivery per webhook and event, its id the
    // webhook-id header, pending until delivered or dead (the dead letters). A deleted webhook takes its
    // deliveries with it.
    version: 5,
    name: 'webhooks',
    up: `CREATE TABLE webhooks (
           id uuid PRIMARY KEY,
           url text NOT NULL,
           event_types text[] NOT NULL,
           description text,
           created_by text NOT NULL,
           key_id text NOT NULL,
           sealed_secret bytea NOT NULL,
           created_at timestamptz NOT NULL DEFAULT now()
         );
         CREATE TABLE webhook_deliveries (
           id uuid PRIMARY KEY,
           webhook_id uuid NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
           event_id uuid NOT NULL,
           event_type text NOT NULL,
           payload text NOT NULL,
           status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'dead')),
           attempts integer NOT NULL DEFAULT 0,
           last_status integer,
           last_error text,
           next_attempt_at timestamptz NOT NULL DEFAULT now(),
           created_at timestamptz NOT NULL DEFAULT now(),
           updated_at timestamptz NOT NULL DEFAULT now(),
           UNIQUE (webhook_id, event_id)
         );
         CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending';`,
  },
  // A customer's erasure request (docs/retention.md): contacts erased, message log pseudonymised; expand only.
  { version: 6, name: 'erasure', up: NOTIFICATION_ERASURE_SQL },
  // The message log's retention clock and the legal holds that stop it (docs/retention.md); expand only.
  { version: 7, name: 'retention', up: NOTIFICATION_RETENTION_SQL },
];
