// Event-driven aggregates: counts by event type and day (UTC). An event id is counted once, however
// often Kafka delivers it.
import { withTransaction } from '../../shared/index.js';
import type { Pool } from '../../shared/index.js';
import type { DailyCount, EventCounts } from '../domain/ports.js';

export class AggregateRepository implements EventCounts {
  constructor(private readonly pool: Pool) {}

  /** Counts the event; false when it was counted before. */
  async record(eventId: string, type: string, occurredAt: Date): Promise<boolean> {
    return withTransaction(this.pool, async (client) => {
      const seen = await client.query('INSERT INTO analytics.events_seen (event_id) VALUES ($1) ON CONFLICT DO NOTHING', [eventId]);
      if (seen.rowCount !== 1) return false;
      await client.query(
        `INSERT INTO analytics.daily_event_counts (day, event_type, count) VALUES (($1::timestamptz AT TIME ZONE 'UTC')::date, $2, 1)
         ON CONFLICT (day, event_type) DO UPDATE SET count = analytics.daily_event_counts.count + 1`,
        [occurredAt.toISOString(), type.slice(0, 100)],
      );
      return true;
    });
  }

  async since(fromDay: string): Promise<DailyCount[]> {
    const { rows } = await this.pool.query<{ day: string; event_type: string; count: string }>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, event_type, count FROM analytics.daily_event_counts WHERE day >= $1::date ORDER BY day, event_type`,
      [fromDay],
    );
    return rows.map((row) => ({ day: row.day, type: row.event_type, count: Number(row.count) }));
  }
}
