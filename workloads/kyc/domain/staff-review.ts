// Bank staff's side: the review queue, a maker's recommendation or request for documents, and a
// checker's decision on it. Four eyes hold throughout: nobody reviews their own application, and the
// checker who decides is not the maker who recommended.
import { type Page, pageOf } from '../../shared/paging.js';
import { scrubString } from '../../shared/redact.js';
import type { ApplicationState } from './application-state.js';
import { forbidden, validationFailed } from './errors.js';
import { checkFourEyes } from './maker-checker.js';
import { parseDecision, parseRecommendation, parseResubmissionRequest } from './review.js';
import { reKycDueDate } from './risk.js';
import { type Caller, STAFF, type UseCaseContext, actorOf, lockForReview } from './use-case-context.js';
import { type ApplicationView, iso, viewIn } from './views.js';

export interface QueueItem {
  id: string;
  state: ApplicationState;
  submittedAt: string | null;
  updatedAt: string;
  riskCategory: string | null;
  screeningBand: string | null;
  makerId: string | null;
  recommendation: string | null;
}

export type QueuePage = Page<QueueItem>;

export class StaffReview {
  constructor(private readonly ctx: UseCaseContext) {}

  /**
   * One page of the queue: `next` is the cursor of the following page (the last item's id), absent on the
   * last page; one row more than asked is read to know it.
   */
  async reviewQueuePage(caller: Caller, state: string | undefined, limit: number, after?: string): Promise<QueuePage> {
    return pageOf(await this.reviewQueue(caller, state, limit + 1, after), limit);
  }

  async reviewQueue(caller: Caller, state: string | undefined, limit: number, after?: string): Promise<QueueItem[]> {
    if (!STAFF.includes(caller.role)) throw forbidden('the review queue is for bank staff');
    const states: ApplicationState[] =
      state === 'pending_review' || state === 'pending_approval'
        ? [state]
        : caller.role === 'maker'
          ? ['pending_review']
          : caller.role === 'checker'
            ? ['pending_approval']
            : ['pending_review', 'pending_approval'];
    const rows = await this.ctx.store.transaction((tx) => tx.reviewQueue(states, limit, after));
    return rows.map((a) => ({
      id: a.id,
      state: a.state,
      submittedAt: iso(a.submittedAt),
      updatedAt: a.updatedAt.toISOString(),
      riskCategory: a.riskCategory,
      screeningBand: a.screeningBand,
      makerId: a.makerId,
      recommendation: a.recommendation,
    }));
  }

  async recommend(caller: Caller, id: string, body: unknown): Promise<ApplicationView> {
    const input = parseRecommendation(body);
    return this.ctx.store.transaction(async (tx) => {
      const app = await lockForReview(tx, caller, id);
      const transition = this.ctx.decide(app, 'recommend', actorOf(caller));
      if (!input.ok) throw validationFailed(input.errors);
      await this.ctx.move(
        tx,
        app,
        transition,
        caller,
        { makerId: caller.id, recommendation: input.value.recommendation, checkerId: null },
        { makerId: caller.id, recommendation: input.value.recommendation },
        input.value.note,
      );
      return viewIn(tx, id, caller);
    });
  }

  async requestResubmission(caller: Caller, id: string, body: unknown): Promise<ApplicationView> {
    const input = parseResubmissionRequest(body);
    return this.ctx.store.transaction(async (tx) => {
      const app = await lockForReview(tx, caller, id);
      const transition = this.ctx.decide(app, 'request_resubmission', actorOf(caller));
      if (!input.ok) throw validationFailed(input.errors);
      const reason = scrubString(input.value.reason);
      await this.ctx.move(
        tx,
        app,
        transition,
        caller,
        { expiresAt: new Date(this.ctx.clock().getTime() + this.ctx.resubmissionTtlMs) },
        { reason, documents: input.value.documents },
        reason,
      );
      return viewIn(tx, id, caller);
    });
  }

  async approve(caller: Caller, id: string, body: unknown): Promise<ApplicationView> {
    return this.checkerDecision(caller, id, 'approve', body);
  }

  async reject(caller: Caller, id: string, body: unknown): Promise<ApplicationView> {
    return this.checkerDecision(caller, id, 'reject', body);
  }

  async returnToMaker(caller: Caller, id: string, body: unknown): Promise<ApplicationView> {
    return this.checkerDecision(caller, id, 'return', body);
  }

  private async checkerDecision(
    caller: Caller,
    id: string,
    action: 'approve' | 'reject' | 'return',
    body: unknown,
  ): Promise<ApplicationView> {
    const input = parseDecision(body, action !== 'approve');
    const view = await this.ctx.store.transaction(async (tx) => {
      const app = await lockForReview(tx, caller, id);
      const transition = this.ctx.decide(app, action, actorOf(caller));
      const violation = checkFourEyes(app.makerId, caller.id);
      if (violation) throw forbidden(violation.message);
      if (!input.ok) throw validationFailed(input.errors);
      const reason = input.value.reason !== undefined ? scrubString(input.value.reason) : undefined;
      const now = this.ctx.clock();
      if (action === 'approve') {
        const category = app.riskCategory ?? 'high';
        const due = reKycDueDate(category, now).toISOString().slice(0, 10);
        const previous = await tx.previousRiskCategory(app.ownerId, id);
        await this.ctx.move(
          tx,
          app,
          transition,
          caller,
          { checkerId: caller.id, decidedAt: now, rekycDueOn: due },
          {
            makerId: app.makerId,
            checkerId: caller.id,
            riskCategory: category,
            reKycDueOn: due,
          },
          reason,
        );
        if (previous !== category) {
          await tx.publish({
            type: 'customer.risk_category.changed',
            subject: app.ownerId,
            actor: caller.id,
            data: { customerId: app.ownerId, applicationId: id, previous, current: category, reKycDueOn: due },
          });
        }
      } else if (action === 'reject') {
        await this.ctx.move(
          tx,
          app,
          transition,
          caller,
          { checkerId: caller.id, decidedAt: now },
          { decidedBy: 'checker', reason },
          reason,
        );
      } else {
        await this.ctx.move(
          tx,
          app,
          transition,
          caller,
          { checkerId: caller.id, recommendation: null },
          { reason: 'returned_by_checker', note: reason },
          reason,
        );
      }
      return viewIn(tx, id, caller);
    });
    if (action !== 'return') this.ctx.outcome(action === 'approve' ? 'approved' : 'rejected');
    return view;
  }
}
