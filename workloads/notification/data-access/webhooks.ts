// Webhooks and their deliveries in PostgreSQL (schema `notification`, migration 5). The signing secret is
// PII-grade: sealed with AES-256-GCM under NOTIFICATION_CONTACT_KEYS like the recipients' addresses, the
// webhook's id as additional data; only the ciphertext is stored and it is shown once, at creation.
import { randomUUID } from 'node:crypto';
import type { Pool } from '../../shared/index.js';
import type { DeadDelivery, DueDelivery, WebhookOutbox, WebhookRegistry, WebhookRow } from '../domain/webhooks.js';
import type { ContactKeyRing } from './contacts.js';

export interface DeliveryRow {
  id: string;
  eventId: string;
  eventType: string;
  status: 'pending' | 'delivered' | 'dead';
  attempts: number;
  lastStatus: number | null;
  lastError: string | null;
}

const context = (webhookId: string) => `notification.webhooks:${webhookId}`;

export class WebhookRepository implements WebhookOutbox, WebhookRegistry {
  constructor(
    private readonly pool: Pool,
    private readonly keys: ContactKeyRing,
  ) {}

  async create(webhook: {
    url: string;
    eventTypes: string[];
    description?: string;
    createdBy: string;
    secret: string;
  }): Promise<WebhookRow> {
    const id = randomUUID();
    const { keyId, sealed } = this.keys.seal(webhook.secret, context(id));
    const { rows } = await this.pool.query<{ created_at: Date }>(
      `INSERT INTO notification.webhooks (id, url, event_types, description, created_by, key_id, sealed_secret)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING created_at`,
      [id, webhook.url, webhook.eventTypes, webhook.description ?? null, webhook.createdBy, keyId, sealed],
    );
    const { url, eventTypes, createdBy } = webhook;
    return { id, url, eventTypes, description: webhook.description ?? null, createdBy, createdAt: rows[0]?.created_at as Date };
  }

  async list(): Promise<WebhookRow[]> {
    const { rows } = await this.pool.query<{
      id: string;
      url: string;
      event_types: string[];
      description: string | null;
      created_by: string;
      created_at: Date;
    }>(`SELECT id, url, event_types, description, created_by, created_at FROM notification.webhooks ORDER BY created_at, id`);
    return rows.map((r) => ({
      id: r.id,
      url: r.url,
      eventTypes: r.event_types,
      description: r.description,
      createdBy: r.created_by,
      createdAt: r.created_at,
    }));
  }

  /** Removes the webhook and, with it, its deliveries (pending ones are never sent). True if it existed. */
  async remove(id: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(`DELETE FROM notification.webhooks WHERE id::text = $1`, [id]);
    return rowCount === 1;
  }

  /** One delivery of `payload` per webhook subscribed to the event's type; an event seen again adds none. */
  async enqueue(eventId: string, eventType: string, payload: string): Promise<number> {
    const { rowCount } = await this.pool.query(
      `INSERT INTO notification.webhook_deliveries (id, webhook_id, event_id, event_type, payload)
       SELECT gen_random_uuid(), w.id, $1, $2, $3 FROM notification.webhooks w WHERE $2 = ANY (w.event_types)
       ON CONFLICT (webhook_id, event_id) DO NOTHING`,
      [eventId, eventType, payload],
    );
    return rowCount ?? 0;
  }

  async enqueueTo(webhookId: string, eventType: string, payload: string): Promise<string | undefined> {
    const id = randomUUID();
    const { rowCount } = await this.pool.query(
      `INSERT INTO notification.webhook_deliveries (id, webhook_id, event_id, event_type, payload)
       SELECT $1, w.id, $1, $3, $4 FROM notification.webhooks w WHERE w.id::text = $2`,
      [id, webhookId, eventType, payload],
    );
    return rowCount === 1 ? id : undefined;
  }

  async deadDeliveries(webhookId: string, limit: number): Promise<DeadDelivery[] | undefined> {
    if (!(await this.exists(webhookId))) return undefined;
    const { rows } = await this.pool.query<{
      id: string;
      event_type: string;
      attempts: number;
      last_status: number | null;
      last_error: string | null;
      created_at: Date;
      updated_at: Date;
    }>(
      `SELECT id, event_type, attempts, last_status, last_error, created_at, updated_at FROM notification.webhook_deliveries
        WHERE webhook_id::text = $1 AND status = 'dead' ORDER BY updated_at DESC, id LIMIT $2`,
      [webhookId, limit],
    );
    return rows.map((r) => ({
      id: r.id,
      eventType: r.event_type,
      attempts: r.attempts,
      lastStatus: r.last_status,
      lastError: r.last_error,
      createdAt: r.created_at,
      failedAt: r.updated_at,
    }));
  }

  async redeliverDead(webhookId: string, deliveryIds: readonly string[] | undefined): Promise<string[] | undefined> {
    if (!(await this.exists(webhookId))) return undefined;
    const { rows } = await this.pool.query<{ id: string }>(
      `UPDATE notification.webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = now(), updated_at = now()
        WHERE webhook_id::text = $1 AND status = 'dead' AND ($2::uuid[] IS NULL OR id = ANY ($2::uuid[]))
        RETURNING id`,
      [webhookId, deliveryIds ?? null],
    );
    return rows.map((r) => r.id).sort();
  }

  private async exists(webhookId: string): Promise<boolean> {
    const { rowCount } = await this.pool.query(`SELECT 1 FROM notification.webhooks WHERE id::text = $1`, [webhookId]);
    return rowCount === 1;
  }

  async claimDue(limit: number, leaseMs: number): Promise<DueDelivery[]> {
    const { rows } = await this.pool.query<{
      id: string;
      webhook_id: string;
      event_type: string;
      payload: string;
      attempts: number;
      url: string;
      key_id: string;
      sealed_secret: Buffer;
    }>(
      `WITH due AS (
         SELECT id FROM notification.webhook_deliveries
         WHERE status = 'pending' AND next_attempt_at <= now()
         ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
       UPDATE notification.webhook_deliveries d
       SET next_attempt_at = now() + $2 * interval '1 millisecond', updated_at = now()
       FROM due, notification.webhooks w
       WHERE d.id = due.id AND w.id = d.webhook_id
       RETURNING d.id, d.webhook_id, d.event_type, d.payload, d.attempts, w.url, w.key_id, w.sealed_secret`,
      [limit, leaseMs],
    );
    return rows.map((r) => ({
      id: r.id,
      webhookId: r.webhook_id,
      eventType: r.event_type,
      payload: r.payload,
      attempts: r.attempts,
      url: r.url,
      secret: this.keys.open(r.key_id, r.sealed_secret, context(r.webhook_id)),
    }));
  }

  async delivered(id: string, attempts: number, status: number): Promise<void> {
    await this.pool.query(
      `UPDATE notification.webhook_deliveries SET status = 'delivered', attempts = $2, last_status = $3, last_error = NULL, updated_at = now()
       WHERE id = $1`,
      [id, attempts, status],
    );
  }

  async failed(id: string, attempts: number, error: string, retryInMs: number | undefined): Promise<void> {
    await this.pool.query(
      `UPDATE notification.webhook_deliveries
       SET status = CASE WHEN $4::integer IS NULL THEN 'dead' ELSE 'pending' END, attempts = $2, last_error = $3,
           next_attempt_at = now() + coalesce($4::integer, 0) * interval '1 millisecond', updated_at = now()
       WHERE id = $1`,
      [id, attempts, error, retryInMs ?? null],
    );
  }

  /** A webhook's deliveries, newest first (operators and tests). */
  async deliveries(webhookId: string): Promise<DeliveryRow[]> {
    const { rows } = await this.pool.query<{
      id: string;
      event_id: string;
      event_type: string;
      status: DeliveryRow['status'];
      attempts: number;
      last_status: number | null;
      last_error: string | null;
    }>(
      `SELECT id, event_id, event_type, status, attempts, last_status, last_error FROM notification.webhook_deliveries
       WHERE webhook_id = $1 ORDER BY created_at DESC, id`,
      [webhookId],
    );
    return rows.map((r) => ({
      id: r.id,
      eventId: r.event_id,
      eventType: r.event_type,
      status: r.status,
      attempts: r.attempts,
      lastStatus: r.last_status,
      lastError: r.last_error,
    }));
  }
}
