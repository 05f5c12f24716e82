// Event-driven aggregates: counts by event type and day (UTC), the first submissions per day, and each
// decision timed from the application's first submission (docs/workloads.md, "Analytics"). An event id is
// counted once, however often Kafka delivers it (events_seen, pruned past the redelivery horizon); one
// application's events come in order (its id is the Kafka key).
import { withTransaction } from '../../shared/index.js';
import type { Pool } from '../../shared/index.js';
import type { DailyCount, DailyTurnaround, DecisionFigures, EventCounts, SeenEvents } from '../domain/ports.js';

const SUBMITTED = 'kyc.application.submitted';
const RESUBMISSION_REQUESTED = 'kyc.application.resubmission_requested';
const DECIDED = new Set(['kyc.application.approved', 'kyc.application.rejected']);
/** The application ends without a decision: its submission is forgotten. */
const ENDED = new Set(['kyc.application.cancelled', 'kyc.application.expired']);

export class AggregateRepository implements EventCounts, SeenEvents {
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
      if (type === SUBMITTED) {
        const first = await client.query(
          'INSERT INTO analytics.submissions (application_id, submitted_at) VALUES ($1, $2) ON CONFLICT DO NOTHING',
          [subject.slice(0, 100), occurredAt.toISOString()],
        );
        if (first.rowCount === 1)
          await client.query(
            `INSERT INTO analytics.daily_first_submissions (day, count) VALUES (($1::timestamptz AT TIME ZONE 'UTC')::date, 1)
             ON CONFLICT (day) DO UPDATE SET count = analytics.daily_first_submissions.count + 1`,
            [occurredAt.toISOString()],
          );
      }
      if (type === RESUBMISSION_REQUESTED)
        await client.query('UPDATE analytics.submissions SET resubmission_requests = resubmission_requests + 1 WHERE application_id = $1', [
          subject.slice(0, 100),
        ]);
      // The decision's row is written in the same statement that forgets the submission: a decision without
      // a known submission (submitted before analytics kept them) is counted but not timed.
      if (DECIDED.has(type))
        await client.query(
          `WITH submitted AS (DELETE FROM analytics.submissions WHERE application_id = $1 RETURNING submitted_at, resubmission_requests),
           timed AS (
             SELECT ($2::timestamptz AT TIME ZONE 'UTC')::date AS day, GREATEST(0, extract(epoch FROM $2::timestamptz - submitted_at)) AS seconds,
               resubmission_requests > 0 AS resubmitted
             FROM submitted
           ),
           decision AS (INSERT INTO analytics.decisions (day, outcome, turnaround_seconds, resubmitted) SELECT day, $3, seconds, resubmitted FROM timed)
           INSERT INTO analytics.daily_turnaround (day, decisions, total_seconds)
           SELECT day, 1, seconds FROM timed
           ON CONFLICT (day) DO UPDATE SET decisions = analytics.daily_turnaround.decisions + 1,
             total_seconds = analytics.daily_turnaround.total_seconds + excluded.total_seconds`,
          [subject.slice(0, 100), occurredAt.toISOString(), type === 'kyc.application.approved' ? 'approved' : 'rejected'],
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

  async firstSubmissionsSince(fromDay: string): Promise<Array<{ day: string; count: number }>> {
    const { rows } = await this.pool.query<{ day: string; count: string }>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, count FROM analytics.daily_first_submissions WHERE day >= $1::date ORDER BY day`,
      [fromDay],
    );
    return rows.map((row) => ({ day: row.day, count: Number(row.count) }));
  }

  async decisionsSince(fromDay: string, slaSeconds: number): Promise<DecisionFigures[]> {
    // ROLLUP adds the window's row (day NULL, last): its percentiles are over every decision of the window,
    // which the days' percentiles cannot give. percentile_disc is the nearest rank: a turnaround that happened.
    const { rows } = await this.pool.query<{
      day: string | null;
      decisions: string;
      resubmitted: string;
      breaches: string;
      percentiles: number[];
    }>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, count(*) AS decisions,
         count(*) FILTER (WHERE resubmitted) AS resubmitted, count(*) FILTER (WHERE turnaround_seconds > $2) AS breaches,
         percentile_disc(ARRAY[0.5, 0.9]) WITHIN GROUP (ORDER BY turnaround_seconds) AS percentiles
       FROM analytics.decisions WHERE day >= $1::date GROUP BY ROLLUP (day) ORDER BY day NULLS LAST`,
      [fromDay, slaSeconds],
    );
    // Without a decision, ROLLUP still gives the window's row, with no percentile: left out.
    return rows
      .filter((row) => Number(row.decisions) > 0)
      .map((row) => ({
        ...(row.day !== null && { day: row.day }),
        decisions: Number(row.decisions),
        resubmitted: Number(row.resubmitted),
        slaBreaches: Number(row.breaches),
        p50Seconds: Number(row.percentiles[0]),
        p90Seconds: Number(row.percentiles[1]),
      }));
  }

  async undecidedSubmittedBefore(before: Date): Promise<number> {
    const { rows } = await this.pool.query<{ count: string }>(
      'SELECT count(*) AS count FROM analytics.submissions WHERE submitted_at < $1',
      [before.toISOString()],
    );
    return Number(rows[0]?.count ?? 0);
  }

  async pruneSeen(before: Date, limit: number): Promise<number> {
    // In batches (the caller repeats), so one run never holds a long lock against the consumer's inserts.
    const { rowCount } = await this.pool.query(
      `DELETE FROM analytics.events_seen WHERE event_id IN (SELECT event_id FROM analytics.events_seen WHERE seen_at < $1 LIMIT $2)`,
      [before.toISOString(), limit],
    );
    return rowCount ?? 0;
  }
}
