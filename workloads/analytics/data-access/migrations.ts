import type { Migration } from '../../shared/index.js';

export const ANALYTICS_SCHEMA = 'analytics';

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'event aggregates',
    up: `CREATE TABLE events_seen (
           event_id uuid PRIMARY KEY,
           seen_at timestamptz NOT NULL DEFAULT now()
         );
         CREATE TABLE daily_event_counts (
           day date NOT NULL,
           event_type text NOT NULL,
           count bigint NOT NULL CHECK (count >= 0),
           PRIMARY KEY (day, event_type)
         );`,
  },
  {
    version: 2,
    name: 'turnaround',
    // An application's first submission, kept until its decision (or its end) to time the decision from
    // it; per decision day, how many decisions and their seconds since submission added up.
    up: `CREATE TABLE submissions (
           application_id text PRIMARY KEY,
           submitted_at timestamptz NOT NULL
         );
         CREATE TABLE daily_turnaround (
           day date PRIMARY KEY,
           decisions bigint NOT NULL CHECK (decisions >= 0),
           total_seconds double precision NOT NULL CHECK (total_seconds >= 0)
         );`,
  },
  {
    version: 3,
    name: 'decisions and the funnel',
    // One row per timed decision (no application id: analytics keeps no personal data, docs/retention.md),
    // so that p50/p90 are exact over any window (docs/workloads.md, "Analytics"); the resubmissions an
    // undecided application was asked for; the first submissions per day (the funnel's second step: the
    // submitted count in daily_event_counts includes resubmissions); events_seen by age for its pruning.
    up: `CREATE TABLE decisions (
           id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
           day date NOT NULL,
           outcome text NOT NULL CHECK (outcome IN ('approved', 'rejected')),
           turnaround_seconds double precision NOT NULL CHECK (turnaround_seconds >= 0),
           resubmitted boolean NOT NULL
         );
         CREATE INDEX decisions_day ON decisions (day);
         ALTER TABLE submissions ADD COLUMN resubmission_requests integer NOT NULL DEFAULT 0;
         CREATE TABLE daily_first_submissions (
           day date PRIMARY KEY,
           count bigint NOT NULL CHECK (count >= 0)
         );
         CREATE INDEX events_seen_seen_at ON events_seen (seen_at);`,
  },
];
