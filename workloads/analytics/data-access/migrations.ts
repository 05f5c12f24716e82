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
];
