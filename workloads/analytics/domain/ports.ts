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

/** The timed decisions (approved or rejected) of one UTC day, or of the whole window (`day` absent). */
export interface DecisionFigures {
  day?: string;
  decisions: number;
  /** Decisions of applications that were asked to resubmit at least once. */
  resubmitted: number;
  /** Decisions later than the SLA after the first submission. */
  slaBreaches: number;
  /** Nearest-rank percentiles of the seconds from the first submission to the decision. */
  p50Seconds: number;
  p90Seconds: number;
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
  /** The first submissions (the funnel's "submitted") per day from `fromDay` (inclusive) on. */
  firstSubmissionsSince(fromDay: string): Promise<Array<{ day: string; count: number }>>;
  /**
   * The timed decisions per day from `fromDay` (inclusive) on, and over them all (the last entry, without
   * `day`; absent without a decision); a decision breaches the SLA when it came more than `slaSeconds`
   * after the first submission.
   */
  decisionsSince(fromDay: string, slaSeconds: number): Promise<DecisionFigures[]>;
  /** The submitted applications still undecided that were first submitted before `before`. */
  undecidedSubmittedBefore(before: Date): Promise<number>;
}

export interface SeenEvents {
  /** Deletes up to `limit` idempotency records of events first seen before `before`; how many it deleted. */
  pruneSeen(before: Date, limit: number): Promise<number>;
}
