// What analytics needs from the outside world, owned by the domain: data-access implements it in
// PostgreSQL.

/** How many events of one type happened on one UTC day (`YYYY-MM-DD`). */
export interface DailyCount {
  day: string;
  type: string;
  count: number;
}

export interface EventCounts {
  /** Counts the event; false when it was counted before (an event id counts once). */
  record(eventId: string, type: string, occurredAt: Date): Promise<boolean>;
  /** The daily counts from `fromDay` (inclusive) on. */
  since(fromDay: string): Promise<DailyCount[]>;
}
