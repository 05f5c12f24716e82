// The notification service's retention clock (docs/retention.md, "Message log retention"): without any
// request, the message log and its dead letters are deleted NOTIFICATION_LOG_RETENTION_DAYS after they were
// written, by a periodic housekeeping run that records what it did; a customer under a legal hold (placed in
// kyc, announced as customer.legal_hold.placed / .released) is passed by until the hold is released. A
// message still being sent (`requested`) is never due. The contacts have no clock: they stay while the
// customer wants messages and go on their erasure request or when they remove them.

export const DEFAULT_MESSAGE_LOG_RETENTION_DAYS = 365;
const DAY_MS = 86_400_000;

/** Rows written before this are due. Pure. */
export function retentionCutoff(now: Date, retentionDays: number): Date {
  if (!Number.isInteger(retentionDays) || retentionDays < 1) throw new Error('the retention must be a whole number of days, at least 1');
  return new Date(now.getTime() - retentionDays * DAY_MS);
}

/** Is this message log row due for deletion? Pure: the rule the store's query implements. */
export function messageDue(
  row: { createdAt: Date; status: string; userId: string },
  cutoff: Date,
  heldUsers: ReadonlySet<string>,
): boolean {
  return row.createdAt < cutoff && row.status !== 'requested' && !heldUsers.has(row.userId);
}

/** The hold an event announces; undefined for any other event. Pure. */
export function legalHoldChangeOf(event: {
  type: string;
  data: Record<string, unknown>;
}): { customerId: string; held: boolean } | undefined {
  if (event.type !== 'customer.legal_hold.placed' && event.type !== 'customer.legal_hold.released') return undefined;
  const { customerId } = event.data;
  if (typeof customerId !== 'string' || customerId.length === 0 || customerId.length > 128) return undefined;
  return { customerId, held: event.type === 'customer.legal_hold.placed' };
}

export interface RetentionRun {
  readonly cutoff: Date;
  readonly messages: number;
  readonly deadLetters: number;
  /** Due rows left because their customer is under a legal hold. */
  readonly held: number;
}

export interface RetentionStore {
  /** Deletes due rows (and their dead letters) written before `cutoff`, at most `limit` messages, and records the run. */
  prune(cutoff: Date, at: Date, limit: number): Promise<RetentionRun>;
  setHold(customerId: string, held: boolean, at: Date): Promise<void>;
}

export class MessageLogRetention {
  constructor(
    private readonly store: RetentionStore,
    private readonly retentionDays: number,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  run(limit = 1000): Promise<RetentionRun> {
    const now = this.clock();
    return this.store.prune(retentionCutoff(now, this.retentionDays), now, limit);
  }

  /** Handles customer.legal_hold.placed / .released; other events are not its business (false). */
  async handle(event: { type: string; data: Record<string, unknown> }): Promise<boolean> {
    const change = legalHoldChangeOf(event);
    if (!change) return false;
    await this.store.setHold(change.customerId, change.held, this.clock());
    return true;
  }
}
