// Housekeeping, run on a timer by every replica at once (each step locks what it changes): re-drive
// applications stuck in processing, release applications whose parked PII the KMS gave back, expire
// drafts and resubmission requests whose time is up, and tell customers whose periodic re-KYC falls due.
import type { AutomaticProcessing } from './automatic-processing.js';
import { DAY_MS, SYSTEM, type UseCaseContext } from './use-case-context.js';

export class Housekeeping {
  constructor(
    private readonly ctx: UseCaseContext,
    private readonly automatic: AutomaticProcessing,
  ) {}

  /**
   * Applications still in `processing` `olderThanMs` after they got there — their checks were cut
   * short (a crash) or their event was given up on (PostgreSQL away for every redelivery). Each is
   * re-driven: the checks run again, and if they fail again it is referred to manual review. Safe on
   * every replica at once (each step locks the application and acts only on `processing`).
   */
  async redriveStuck(olderThanMs: number, limit = 20): Promise<{ done: number; referred: number }> {
    const before = new Date(this.ctx.clock().getTime() - olderThanMs);
    const ids = await this.ctx.store.transaction((tx) => tx.stuckInProcessing(before, limit));
    let done = 0;
    let referred = 0;
    for (const id of ids) {
      try {
        if ((await this.automatic.runChecks(id)) === 'done') done += 1;
      } catch (error) {
        const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        if (
          (await this.automatic.referForManualReview(id, {
            code: 'automatic_checks_failed',
            attempts: 1,
            error: `re-driven after ${Math.round(olderThanMs / 60_000)} min in processing; ${message}`,
          })) === 'done'
        )
          referred += 1;
      }
    }
    return { done, referred };
  }

  /**
   * Applications held while their PII was parked (docs/security.md, "Writes while the KMS is away") whose
   * PII now sits under the KMS's data key again: their checks run, then the hold ends, audited. Checks
   * first: a replica stopped in between leaves the hold, and the next pass finds the application checked
   * already (runChecks acts once); two replicas releasing the same application end its hold once.
   */
  async releaseUnparked(limit = 20): Promise<{ released: number; failed: number }> {
    const parked = this.ctx.parked;
    if (!parked) return { released: 0, failed: 0 };
    let released = 0;
    let failed = 0;
    for (const id of await parked.releasable(limit)) {
      try {
        if ((await this.automatic.runChecks(id)) === 'parked') continue;
      } catch {
        // The hold stays: the next pass runs the checks again (and one left in processing is re-driven).
        failed += 1;
        continue;
      }
      if (!(await parked.release(id))) continue;
      await this.ctx.store.transaction((tx) =>
        tx.audit({
          applicationId: id,
          actorId: 'system',
          actorRole: 'system',
          action: 'checks_released',
          detail: { reason: 'pii_unparked' },
        }),
      );
      released += 1;
    }
    return { released, failed };
  }

  /** Expires drafts and resubmission requests whose time is up; returns how many. */
  async expireStale(limit = 100): Promise<number> {
    const expired = await this.ctx.store.transaction(async (tx) => {
      const stale = await tx.lockExpired(this.ctx.clock(), limit);
      for (const app of stale) {
        await this.ctx.move(tx, app, this.ctx.decide(app, 'expire', 'system'), SYSTEM, { decidedAt: this.ctx.clock() }, {});
      }
      return stale.length;
    });
    for (let i = 0; i < expired; i++) this.ctx.outcome('expired');
    return expired;
  }

  /**
   * Tells customers whose periodic re-KYC falls due within `noticeDays` (customer.rekyc.due, once per
   * approval); returns how many were told.
   */
  async announceReKycDue(noticeDays = 30, limit = 100): Promise<number> {
    const until = new Date(this.ctx.clock().getTime() + noticeDays * DAY_MS).toISOString().slice(0, 10);
    return this.ctx.store.transaction(async (tx) => {
      const due = await tx.lockReKycDue(until, limit);
      for (const app of due) {
        await tx.publish({
          type: 'customer.rekyc.due',
          subject: app.ownerId,
          actor: 'system',
          data: {
            customerId: app.ownerId,
            ownerId: app.ownerId,
            applicationId: app.id,
            dueOn: app.rekycDueOn,
            riskCategory: app.riskCategory,
          },
        });
        await tx.markReKycNoticeSent(app.id);
        await tx.audit({
          applicationId: app.id,
          actorId: 'system',
          actorRole: 'system',
          action: 'rekyc_due_notice',
          detail: { dueOn: app.rekycDueOn },
        });
      }
      return due.length;
    });
  }
}
