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
];
