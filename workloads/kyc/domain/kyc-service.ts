// The KYC use cases, one file per concern: applications.ts (the applicant's side), staff-review.ts (the
// maker and checker), automatic-processing.ts (checks and screening), housekeeping.ts (timers) and
// views.ts (what a caller is shown). Each use case authorises the caller, decides with the pure rules,
// then makes the change, its audit record and its events in one transaction (the outbox publishes the
// events afterwards).
//
// Why a facade: main.ts builds the service from one set of options, and the routes, the Kafka
// consumers and the test suites each take one `KycService`; the parts share one context (store, clock,
// limits, outcome counter) and housekeeping re-drives through the automatic processing. Handing every
// caller the five parts instead would spread that wiring over each of them.
import { Applications } from './applications.js';
import { AutomaticProcessing } from './automatic-processing.js';
import { Housekeeping } from './housekeeping.js';
import { type QueueItem, type QueuePage, StaffReview } from './staff-review.js';
import { type Caller, type KycServiceOptions, UseCaseContext } from './use-case-context.js';
import { type ApplicationView, Views } from './views.js';

export type { BusinessOutcome, Caller, KycServiceOptions } from './use-case-context.js';
export type { ApplicationView } from './views.js';
export type { QueueItem, QueuePage } from './staff-review.js';

export class KycService {
  private readonly applications: Applications;
  private readonly review: StaffReview;
  private readonly automatic: AutomaticProcessing;
  private readonly housekeeping: Housekeeping;
  private readonly views: Views;

  constructor(options: KycServiceOptions) {
    const ctx = new UseCaseContext(options);
    this.applications = new Applications(ctx);
    this.review = new StaffReview(ctx);
    this.automatic = new AutomaticProcessing(ctx);
    this.housekeeping = new Housekeeping(ctx, this.automatic);
    this.views = new Views(ctx);
  }

  createDraft(caller: Caller, body: unknown): Promise<ApplicationView> {
    return this.applications.createDraft(caller, body);
  }
  updateApplicant(caller: Caller, id: string, body: unknown): Promise<ApplicationView> {
    return this.applications.updateApplicant(caller, id, body);
  }
  uploadDocument(caller: Caller, id: string, body: unknown): Promise<ApplicationView['documents'][number]> {
    return this.applications.uploadDocument(caller, id, body);
  }
  submit(caller: Caller, id: string): Promise<ApplicationView> {
    return this.applications.submit(caller, id);
  }
  cancel(caller: Caller, id: string): Promise<ApplicationView> {
    return this.applications.cancel(caller, id);
  }
  withdrawConsent(caller: Caller, id: string): Promise<ApplicationView> {
    return this.applications.withdrawConsent(caller, id);
  }

  get(caller: Caller, id: string): Promise<ApplicationView> {
    return this.views.get(caller, id);
  }
  documentContent(caller: Caller, id: string, documentId: string): Promise<{ contentType: string; content: Buffer }> {
    return this.views.documentContent(caller, id, documentId);
  }

  reviewQueue(caller: Caller, state: string | undefined, limit: number): Promise<QueueItem[]> {
    return this.review.reviewQueue(caller, state, limit);
  }
  reviewQueuePage(caller: Caller, state: string | undefined, limit: number, after?: string): Promise<QueuePage> {
    return this.review.reviewQueuePage(caller, state, limit, after);
  }
  recommend(caller: Caller, id: string, body: unknown): Promise<ApplicationView> {
    return this.review.recommend(caller, id, body);
  }
  requestResubmission(caller: Caller, id: string, body: unknown): Promise<ApplicationView> {
    return this.review.requestResubmission(caller, id, body);
  }
  approve(caller: Caller, id: string, body: unknown): Promise<ApplicationView> {
    return this.review.approve(caller, id, body);
  }
  reject(caller: Caller, id: string, body: unknown): Promise<ApplicationView> {
    return this.review.reject(caller, id, body);
  }
  returnToMaker(caller: Caller, id: string, body: unknown): Promise<ApplicationView> {
    return this.review.returnToMaker(caller, id, body);
  }

  async runChecks(applicationId: string): Promise<'done' | 'skipped'> {
    // A parked application is held (audited `checks_parked`) and released by housekeeping once its PII is
    // unparked: for whoever asked, there is nothing more to do now.
    const result = await this.automatic.runChecks(applicationId);
    return result === 'parked' ? 'skipped' : result;
  }
  referForManualReview(
    applicationId: string,
    reason: { code: 'automatic_checks_failed'; attempts: number; error: string },
  ): Promise<'done' | 'skipped'> {
    return this.automatic.referForManualReview(applicationId, reason);
  }

  redriveStuck(olderThanMs: number, limit?: number): Promise<{ done: number; referred: number }> {
    return this.housekeeping.redriveStuck(olderThanMs, limit);
  }
  releaseUnparked(limit?: number): Promise<{ released: number; failed: number }> {
    return this.housekeeping.releaseUnparked(limit);
  }
  expireStale(limit?: number): Promise<number> {
    return this.housekeeping.expireStale(limit);
  }
  announceReKycDue(noticeDays?: number, limit?: number): Promise<number> {
    return this.housekeeping.announceReKycDue(noticeDays, limit);
  }
}
