// The notification service's part of an erasure request in PostgreSQL (domain/erasure.ts,
// docs/retention.md): in one transaction the customer's contacts are deleted, their message log and dead
// letters pseudonymised and marked erased_at, the request recorded (once: its id is the key) and
// notification.erasure.completed queued in the outbox — so a crash anywhere leaves all of it or none, and
// the redelivered event finds the request recorded.
import { enqueueEvent, newEvent, withTransaction } from '../../shared/index.js';
import type { Pool } from '../../shared/index.js';
import { ERASED_USER } from '../domain/erasure.js';
import type { NotificationErasureStore, erasureOutcome } from '../domain/erasure.js';
import { NOTIFICATION_SCHEMA } from './migrations.js';

export class PgNotificationErasure implements NotificationErasureStore {
  constructor(
    private readonly pool: Pool,
    private readonly topicPrefix: string,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  erase(request: { erasureRequestId: string; customerId: string }, outcome: ReturnType<typeof erasureOutcome>): Promise<boolean> {
    return withTransaction(this.pool, async (client) => {
      const at = this.clock();
      const recorded = await client.query(
        `INSERT INTO notification.erasures (request_id, completed_at) VALUES ($1, $2) ON CONFLICT (request_id) DO NOTHING`,
        [request.erasureRequestId, at],
      );
      if (recorded.rowCount !== 1) return false;
      const { customerId } = request;
      await client.query(`DELETE FROM notification.contacts WHERE user_id = $1`, [customerId]);
      await client.query(`UPDATE notification.dead_letters SET user_id = $2, erased_at = $3 WHERE user_id = $1`, [
        customerId,
        ERASED_USER,
        at,
      ]);
      await client.query(`UPDATE notification.notifications SET user_id = $2, erased_at = $3, updated_at = $3 WHERE user_id = $1`, [
        customerId,
        ERASED_USER,
        at,
      ]);
      const data = { erasureRequestId: request.erasureRequestId, completedAt: at.toISOString(), ...outcome };
      // Keyed by the request, not the customer: the outcome names nobody.
      await enqueueEvent(
        client,
        NOTIFICATION_SCHEMA,
        newEvent('notification.erasure.completed', request.erasureRequestId, data, 'system'),
        this.topicPrefix,
      );
      return true;
    });
  }
}
