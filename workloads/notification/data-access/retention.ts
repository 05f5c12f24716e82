// The message log's retention in PostgreSQL (domain/retention.ts, docs/retention.md): one transaction
// deletes the due dead letters and messages — rows of customers in `legal_holds` stay — and records the run
// in `retention_runs` (counts and the cutoff, no customer), the service's audit of its housekeeping.
// Legal holds arrive as events from kyc and are kept in `legal_holds` (the customer id only).
import { withTransaction } from '../../shared/index.js';
import type { Pool } from '../../shared/index.js';
import type { RetentionRun, RetentionStore } from '../domain/retention.js';

export class PgMessageLogRetention implements RetentionStore {
  constructor(private readonly pool: Pool) {}

  prune(cutoff: Date, at: Date, limit: number): Promise<RetentionRun> {
    return withTransaction(this.pool, async (client) => {
      const due = `SELECT n.id FROM notification.notifications n
                    WHERE n.created_at < $1 AND n.status <> 'requested'
                      AND NOT EXISTS (SELECT 1 FROM notification.legal_holds h WHERE h.user_id = n.user_id)
                    ORDER BY n.created_at LIMIT $2 FOR UPDATE SKIP LOCKED`;
      const { rows } = await client.query<{ id: string }>(due, [cutoff, limit]);
      const ids = rows.map((r) => r.id);
      const deadLetters = await client.query(`DELETE FROM notification.dead_letters WHERE notification_id = ANY($1::uuid[])`, [ids]);
      const messages = await client.query(`DELETE FROM notification.notifications WHERE id = ANY($1::uuid[])`, [ids]);
      const held = await client.query<{ n: string }>(
        `SELECT count(*) AS n FROM notification.notifications n
          WHERE n.created_at < $1 AND n.status <> 'requested' AND n.user_id IN (SELECT user_id FROM notification.legal_holds)`,
        [cutoff],
      );
      const run: RetentionRun = {
        cutoff,
        messages: messages.rowCount ?? 0,
        deadLetters: deadLetters.rowCount ?? 0,
        held: Number(held.rows[0]?.n ?? 0),
      };
      // A run that deleted nothing leaves no row (the sweep runs every few minutes).
      if (run.messages + run.deadLetters > 0)
        await client.query(
          `INSERT INTO notification.retention_runs (ran_at, cutoff, messages_deleted, dead_letters_deleted, held) VALUES ($1, $2, $3, $4, $5)`,
          [at, cutoff, run.messages, run.deadLetters, run.held],
        );
      return run;
    });
  }

  async setHold(customerId: string, held: boolean, at: Date): Promise<void> {
    if (held)
      await this.pool.query(`INSERT INTO notification.legal_holds (user_id, placed_at) VALUES ($1, $2) ON CONFLICT (user_id) DO NOTHING`, [
        customerId,
        at,
      ]);
    else await this.pool.query(`DELETE FROM notification.legal_holds WHERE user_id = $1`, [customerId]);
  }
}
