// What analytics needs from the outside world, owned by the domain: data-access implements it in
// PostgreSQL.

/** How many events of one type happened on one UTC day (`YYYY-MM-DD`). */
export interface DailyCount {
  day: string;
  type: string;
  count: number;
}

/** The decisions (approved or rejected) of one UTC day and their time since the first submission. */
export interface DailyTurnaround {
  day: string;
  decisions: number;
  totalSeconds: number;
}

export interface EventCounts {
  /**
   * Counts the event; false when it was counted before (an event id counts once). With the event's
   * `subject` (the application), a submission is remembered and a decision timed from it.
   */
  record(eventId: string, type: string, occurredAt: Date, subject?: string): Promise<boolean>;
  /** The daily counts from `fromDay` (inclusive) on. */
  since(fromDay: string): Promise<DailyCount[]>;
  /** The decisions' turnaround per day from `fromDay` (inclusive) on. */
  turnaroundSince(fromDay: string): Promise<DailyTurnaround[]>;
}
