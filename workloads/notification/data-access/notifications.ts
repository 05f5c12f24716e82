// Notifications in PostgreSQL (schema `notification`); each status change queues its event in the
// same transaction (outbox).
import { enqueueEvent, newEvent, withTransaction } from '../../shared/index.js';
import type { EventType, Pool } from '../../shared/index.js';
import type { ClaimedNotification, DeliveryOutcome, NewNotification, NotificationRow, NotificationStore } from '../domain/ports.js';
import { NOTIFICATION_SCHEMA } from './migrations.js';

export class NotificationRepository implements NotificationStore {
  constructor(
    private readonly pool: Pool,
    private readonly topicPrefix: string,
  ) {}

  /**
   * Claims the (event, channel) pair for sending. A new pair is recorded as `requested` (and queues
   * notification.requested) and returned; a pair still `requested` from an earlier delivery of the
   * same event — its sender died before recording the outcome — is returned again with its first id,
   * so it is sent again under the same id (the provider's idempotency key), with `sendStarted` telling
   * whether its hand-over to the provider had begun. A pair whose outcome is recorded returns undefined:
   * it is never sent twice.
   */
  async claim(n: NewNotification): Promise<ClaimedNotification | undefined> {
    return withTransaction(this.pool, async (client) => {
      const inserted = await client.query(
        `INSERT INTO notification.notifications (id, event_id, event_type, user_id, channel, template, status)
         VALUES ($1, $2, $3, $4, $5, $6, 'requested') ON CONFLICT (event_id, channel) DO NOTHING`,
        [n.id, n.sourceEventId, n.sourceEventType, n.userId, n.channel, n.template],
      );
      if (inserted.rowCount === 1) {
        await enqueueEvent(
          client,
          NOTIFICATION_SCHEMA,
          newEvent('notification.requested', n.id, this.eventData(n), 'system'),
          this.topicPrefix,
        );
        return { ...n, sendStarted: false };
      }
      const { rows } = await client.query<{ id: string; status: NotificationRow['status']; send_started: boolean }>(
        `SELECT id, status, send_started_at IS NOT NULL AS send_started FROM notification.notifications WHERE event_id = $1 AND channel = $2`,
        [n.sourceEventId, n.channel],
      );
      const existing = rows[0];
      return existing?.status === 'requested' ? { ...n, id: existing.id, sendStarted: existing.send_started } : undefined;
    });
  }

  async markSendStarted(n: NewNotification): Promise<void> {
    await this.pool.query(`UPDATE notification.notifications SET send_started_at = now(), updated_at = now() WHERE id = $1`, [n.id]);
  }

  /** Records the outcome once (a second outcome for the same notification is ignored); true if recorded now. */
  async finish(n: NewNotification, outcome: DeliveryOutcome): Promise<boolean> {
    return withTransaction(this.pool, async (client) => {
      const updated = await client.query(
        `UPDATE notification.notifications SET status = $2, error = $3, updated_at = now() WHERE id = $1 AND status = 'requested'`,
        [n.id, outcome.status, outcome.status === 'failed' ? outcome.error.slice(0, 500) : null],
      );
      if (updated.rowCount !== 1) return false;
      if (outcome.status === 'failed' && outcome.deadLetter) {
        await client.query(
          `INSERT INTO notification.dead_letters (notification_id, event_id, event_type, user_id, channel, template, reason, tries, error)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
          [
            n.id,
            n.sourceEventId,
            n.sourceEventType,
            n.userId,
            n.channel,
            n.template,
            outcome.deadLetter.reason,
            outcome.deadLetter.tries,
            outcome.error.slice(0, 500),
          ],
        );
      }
      // Nothing went out: a suppressed message is history only, no delivery event.
      if (outcome.status === 'suppressed') return true;
      const type: EventType = outcome.status === 'sent' ? 'notification.sent' : 'notification.failed';
      await enqueueEvent(client, NOTIFICATION_SCHEMA, newEvent(type, n.id, this.eventData(n), 'system'), this.topicPrefix);
      return true;
    });
  }

  async list(userId: string | undefined, limit: number): Promise<NotificationRow[]> {
    const { rows } = await this.pool.query<NotificationRow>(
      `SELECT id, event_type, user_id, channel, template, status, created_at FROM notification.notifications
       WHERE ($1::text IS NULL OR user_id = $1) ORDER BY created_at DESC, id LIMIT $2`,
      [userId ?? null, limit],
    );
    return rows;
  }

  private eventData(n: NewNotification): Record<string, unknown> {
    return {
      notificationId: n.id,
      userId: n.userId,
      channel: n.channel,
      template: n.template,
      sourceEventId: n.sourceEventId,
      sourceEventType: n.sourceEventType,
    };
  }
}
