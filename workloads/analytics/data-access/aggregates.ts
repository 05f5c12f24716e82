// Event-driven aggregates: counts by event type and day (UTC), and the turnaround of decisions (from an
// application's first submission to its approval or rejection). An event id is counted once, however
// often Kafka delivers it; one application's events come in order (its id is the Kafka key).
import { withTransaction } from '../../shared/index.js';
import type { Pool } from '../../shared/index.js';
import type { DailyCount, DailyTurnaround, EventCounts } from '../domain/ports.js';

const SUBMITTED = 'kyc.application.submitted';
const DECIDED = new Set(['kyc.application.approved', 'kyc.application.rejected']);
/** The application ends without a decision: its submission is forgotten. */
const ENDED = new Set(['kyc.application.cancelled', 'kyc.application.expired']);

export class AggregateRepository implements EventCounts {
  constructor(private readonly pool: Pool) {}

  /** Counts the event; false when it was counted before. */
  async record(eventId: string, type: string, occurredAt: Date, subject?: string): Promise<boolean> {
    return withTransaction(this.pool, async (client) => {
      const seen = await client.query('INSERT INTO analytics.events_seen (event_id) VALUES ($1) ON CONFLICT DO NOTHING', [eventId]);
      if (seen.rowCount !== 1) return false;
      await client.query(
        `INSERT INTO analytics.daily_event_counts (day, event_type, count) VALUES (($1::timestamptz AT TIME ZONE 'UTC')::date, $2, 1)
         ON CONFLICT (day, event_type) DO UPDATE SET count = analytics.daily_event_counts.count + 1`,
        [occurredAt.toISOString(), type.slice(0, 100)],
      );
      if (subject === undefined) return true;
      // The first submission counts: a resubmission's wait is part of the customer's turnaround.
      if (type === SUBMITTED)
        await client.query('INSERT INTO analytics.submissions (application_id, submitted_at) VALUES ($1, $2) ON CONFLICT DO NOTHING', [
          subject.slice(0, 100),
          occurredAt.toISOString(),
        ]);
      if (DECIDED.has(type))
        await client.query(
          `WITH submitted AS (DELETE FROM analytics.submissions WHERE application_id = $1 RETURNING submitted_at)
           INSERT INTO analytics.daily_turnaround (day, decisions, total_seconds)
           SELECT ($2::timestamptz AT TIME ZONE 'UTC')::date, 1, GREATEST(0, extract(epoch FROM $2::timestamptz - submitted_at)) FROM submitted
           ON CONFLICT (day) DO UPDATE SET decisions = analytics.daily_turnaround.decisions + 1,
             total_seconds = analytics.daily_turnaround.total_seconds + excluded.total_seconds`,
          [subject.slice(0, 100), occurredAt.toISOString()],
        );
      if (ENDED.has(type)) await client.query('DELETE FROM analytics.submissions WHERE application_id = $1', [subject.slice(0, 100)]);
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

  async turnaroundSince(fromDay: string): Promise<DailyTurnaround[]> {
    const { rows } = await this.pool.query<{ day: string; decisions: string; total_seconds: number }>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, decisions, total_seconds FROM analytics.daily_turnaround WHERE day >= $1::date ORDER BY day`,
      [fromDay],
    );
    return rows.map((row) => ({ day: row.day, decisions: Number(row.decisions), totalSeconds: Number(row.total_seconds) }));
  }
}
