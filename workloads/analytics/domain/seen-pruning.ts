// events_seen is analytics' idempotency record: an event id seen once is not counted again. It only has to
// outlive the event's redelivery horizon — the longest an event can still be delivered after it was first
// seen: while it is in its Kafka topic (the topics' retention, 7 days by default, plus up to one segment's
// age, 7 more, before the segment holding it is deleted). A record older than the horizon can never meet
// its event again, so it is deleted (docs/workloads.md, "Analytics"). The horizon must stay longer than the
// topics' retention plus segment age, or a consumer group that re-reads its topics (offsets lost or reset)
// would count events a second time.
import type { SeenEvents } from './ports.js';

/** Days: 7 of retention and 7 of segment age by Kafka's defaults, with room for a longer retention. */
export const DEFAULT_SEEN_HORIZON_DAYS = 30;
/** Rows per DELETE: one run is a few short statements, never one long lock. */
export const PRUNE_BATCH = 5000;
/** Batches per run: a backlog larger than this is finished by the next runs. */
export const PRUNE_MAX_BATCHES = 100;

export function seenCutoff(now: Date, horizonDays: number): Date {
  return new Date(now.getTime() - horizonDays * 86_400_000);
}

export class SeenPruning {
  constructor(
    private readonly seen: SeenEvents,
    private readonly horizonDays: number,
    private readonly batch = PRUNE_BATCH,
    private readonly maxBatches = PRUNE_MAX_BATCHES,
  ) {}

  /** Deletes the records first seen before the horizon; how many. */
  async run(now = new Date()): Promise<number> {
    const before = seenCutoff(now, this.horizonDays);
    let deleted = 0;
    for (let i = 0; i < this.maxBatches; i += 1) {
      const batch = await this.seen.pruneSeen(before, this.batch);
      deleted += batch;
      if (batch < this.batch) break;
    }
    return deleted;
  }
}
