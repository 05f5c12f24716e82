// The KYC use cases. Each one: authorise the caller, decide with the pure rules, then make the change,
// its audit record and its events in one transaction (the outbox publishes the events afterwards).
import { randomUUID } from 'node:crypto';
import { scrubString } from '../../shared/redact.js';
import type { Role } from '../../shared/roles.js';
import { type ApplicantUpdate, type FieldError, validateApplicantPatch } from './applicant.js';
import { type Actor, type ApplicationAction, type ApplicationState, OPEN_STATES, decideTransition } from './application-state.js';
import { type ChecksOutcome, runAutomaticChecks } from './automatic-checks.js';
import { validateConsent } from './consent.js';
import { type DocumentType, missingDocuments, validateDocumentUpload } from './documents.js';
import { findDuplicates } from './duplicates.js';
import { KycError, forbidden, invalidState, limitReached, notFound, validationFailed } from './errors.js';
import { maskAadhaar } from './identity/aadhaar.js';
import { maskAllButLast } from './identity/result.js';
import { DEFAULT_MAX_OPEN_DRAFTS, checkDraftLimit } from './drafts.js';
import { checkFourEyes, checkNotOwnApplication } from './maker-checker.js';
import type {
  ApplicantData,
  ApplicationChanges,
  ApplicationRecord,
  AuditRecord,
  ConsentRecord,
  DocumentMeta,
  KycStore,
  KycTransaction,
  StoredApplicantRecord,
} from './ports.js';
import { parseDecision, parseRecommendation, parseResubmissionRequest } from './review.js';
import { reKycDueDate } from './risk.js';
import type { WatchlistEntry } from './screening/screening.js';

export interface Caller {
  readonly id: string;
  readonly role: Role;
  readonly requestId?: string | undefined;
}

export type BusinessOutcome = 'created' | 'submitted' | 'approved' | 'rejected' | 'cancelled' | 'expired' | 'checked';

export interface KycServiceOptions {
  store: KycStore;
  watchlist: readonly WatchlistEntry[];
  /** Days a draft may stay untouched before it expires. */
  draftTtlDays?: number;
  /** Days an applicant has to resubmit after a maker asks for documents. */
  resubmissionTtlDays?: number;
  /** Most documents one application may hold. */
  maxDocuments?: number;
  /** Most drafts one customer may hold open at once. */
  maxOpenDrafts?: number;
  clock?: () => Date;
  onOutcome?: (outcome: BusinessOutcome) => void;
}

export interface ApplicationView {
  id: string;
  state: ApplicationState;
  ownerId: string;
  createdAt: string;
  updatedAt: string;
  submittedAt: string | null;
  decidedAt: string | null;
  expiresAt: string | null;
  applicant: {
    name: string | null;
    dateOfBirth: string | null;
    address: ApplicantData['address'] | null;
    pan: string | null;
    aadhaar: string | null;
    passport: string | null;
    voterId: string | null;
    drivingLicence: string | null;
    ckycNumber: string | null;
  };
  documents: Array<{ id: string; type: DocumentType; contentType: string; sizeBytes: number; uploadedAt: string }>;
  consents: Array<{ purposes: readonly string[]; noticeVersion: string; grantedAt: string; withdrawnAt: string | null }>;
  review: { makerId: string | null; recommendation: string | null; checkerId: string | null };
  risk: { score: number | null; category: string | null; reKycDueOn: string | null };
  screeningBand: string | null;
  findings?: unknown;
  history?: Array<{ at: string; action: string; actorRole: string; actorId: string; fromState: string | null; toState: string | null }>;
}

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

const STAFF: readonly Role[] = ['maker', 'checker', 'admin'];
const EDITABLE: readonly ApplicationState[] = ['draft', 'resubmission_required'];
const DAY_MS = 86_400_000;

export class KycService {
  private readonly store: KycStore;
  private readonly clock: () => Date;
  private readonly draftTtlMs: number;
  private readonly resubmissionTtlMs: number;
  private readonly maxDocuments: number;
  private readonly maxOpenDrafts: number;

  constructor(private readonly options: KycServiceOptions) {
    this.store = options.store;
    this.clock = options.clock ?? (() => new Date());
    this.draftTtlMs = (options.draftTtlDays ?? 30) * DAY_MS;
    this.resubmissionTtlMs = (options.resubmissionTtlDays ?? 30) * DAY_MS;
    this.maxDocuments = options.maxDocuments ?? 20;
    this.maxOpenDrafts = options.maxOpenDrafts ?? DEFAULT_MAX_OPEN_DRAFTS;
  }

  async createDraft(caller: Caller, body: unknown): Promise<ApplicationView> {
    if (caller.role !== 'customer') throw forbidden('only customers open KYC applications');
    const consent = validateConsent(body ?? {});
    if (!consent.ok) throw validationFailed(consent.errors);
    const id = randomUUID();
    const view = await this.store.transaction(async (tx) => {
      const limit = checkDraftLimit(await tx.lockOwnerDrafts(caller.id), this.maxOpenDrafts);
      if (limit) throw limitReached(limit.message);
      const app = await tx.insertApplication({ id, ownerId: caller.id, expiresAt: new Date(this.clock().getTime() + this.draftTtlMs) });
      const consentRecord = { id: randomUUID(), purposes: [...consent.value.purposes], noticeVersion: consent.value.noticeVersion };
      await tx.insertConsent({ ...consentRecord, applicationId: id, ownerId: caller.id });
      await tx.audit({ applicationId: id, actorId: caller.id, actorRole: caller.role, action: 'create', toState: 'draft', requestId: caller.requestId });
      await tx.publish({ type: 'kyc.application.created', subject: id, actor: caller.id, data: { applicationId: id, ownerId: caller.id } });
      await tx.publish({
        type: 'consent.granted',
        subject: id,
        actor: caller.id,
        data: { applicationId: id, ownerId: caller.id, purposes: consent.value.purposes, noticeVersion: consent.value.noticeVersion },
      });
      // A new draft has nothing else to read back: build the view from what was just written.
      return applicationView(app, null, [], [{ ...consentRecord, grantedAt: app.createdAt, withdrawnAt: null }]);
    });
    this.options.onOutcome?.('created');
    return view;
  }

  async get(caller: Caller, id: string): Promise<ApplicationView> {
    const staff = STAFF.includes(caller.role);
    if (this.store.snapshot && !staff) {
      // One statement, one round trip: the hot read path (the owner reading their own application).
      const snap = await this.store.snapshot(id, { history: false });
      if (!snap) throw notFound();
      this.authoriseRead(caller, snap.application);
      return applicationView(snap.application, snap.applicant, snap.documents, snap.consents);
    }
    return this.store.transaction(async (tx) => {
      if (!staff) {
        const app = await tx.getApplication(id);
        this.authoriseRead(caller, app);
        return this.viewIn(tx, id, caller, app);
      }
      // Staff may read any application that exists (viewIn refuses one that does not). Seeing an
      // applicant's data is recorded like a document read, in the same transaction: if the record
      // cannot be written, the data is not shown.
      const view = await this.viewIn(tx, id, caller);
      await tx.audit({ applicationId: view.id, actorId: caller.id, actorRole: caller.role, action: 'read_application', requestId: caller.requestId });
      return view;
    });
  }

  async updateApplicant(caller: Caller, id: string, body: unknown): Promise<ApplicationView> {
    return this.store.transaction(async (tx) => {
      const app = await this.lockOwned(tx, caller, id);
      if (!EDITABLE.includes(app.state)) throw invalidState(`applicant data cannot change while the application is ${app.state}`);
      const stored = await tx.readApplicant(id);
      const storedName = stored?.data.name;
      const storedPan = stored?.data.pan;
      const checked = validateApplicantPatch(body, { ...(storedName !== undefined && { name: storedName }), ...(storedPan !== undefined && { pan: storedPan }) }, this.clock());
      if (!checked.ok) throw validationFailed(checked.errors);
      const update = checked.value;
      await tx.writeApplicant(id, mergeApplicant(stored?.data ?? {}, update), update.aadhaar);
      await tx.audit({
        applicationId: id,
        actorId: caller.id,
        actorRole: caller.role,
        action: 'update_applicant',
        detail: { fields: Object.keys(update).sort() },
        requestId: caller.requestId,
      });
      if (app.state === 'draft') await tx.updateApplication(id, { expiresAt: new Date(this.clock().getTime() + this.draftTtlMs) });
      return this.viewIn(tx, id, caller);
    });
  }

  async uploadDocument(caller: Caller, id: string, body: unknown): Promise<ApplicationView['documents'][number]> {
    const upload = validateDocumentUpload(body);
    return this.store.transaction(async (tx) => {
      const app = await this.lockOwned(tx, caller, id);
      if (!upload.ok) throw validationFailed(upload.errors);
      if (!EDITABLE.includes(app.state)) throw invalidState(`documents cannot be added while the application is ${app.state}`);
      const existing = await tx.listDocuments(id);
      if (existing.length >= this.maxDocuments) {
        throw validationFailed([{ field: 'documents', message: `an application holds at most ${this.maxDocuments} documents` }]);
      }
      const meta = await tx.insertDocument({
        id: randomUUID(),
        applicationId: id,
        type: upload.value.type,
        contentType: upload.value.contentType,
        content: upload.value.content,
        aadhaarRedacted: upload.value.type === 'aadhaar_possession_proof',
      });
      await tx.audit({
        applicationId: id,
        actorId: caller.id,
        actorRole: caller.role,
        action: 'upload_document',
        detail: { documentId: meta.id, type: meta.type, sizeBytes: meta.sizeBytes },
        requestId: caller.requestId,
      });
      await tx.publish({
        type: 'kyc.document.uploaded',
        subject: id,
        actor: caller.id,
        data: { applicationId: id, ownerId: app.ownerId, documentId: meta.id, type: meta.type, contentType: meta.contentType, sizeBytes: meta.sizeBytes },
      });
      return documentView(meta);
    });
  }

  async documentContent(caller: Caller, id: string, documentId: string): Promise<{ contentType: string; content: Buffer }> {
    return this.store.transaction(async (tx) => {
      const app = await tx.getApplication(id);
      this.authoriseRead(caller, app);
      const doc = await tx.readDocumentContent(id, documentId);
      if (!doc) throw notFound('document');
      await tx.audit({ applicationId: id, actorId: caller.id, actorRole: caller.role, action: 'read_document', detail: { documentId }, requestId: caller.requestId });
      return { contentType: doc.meta.contentType, content: doc.content };
    });
  }

  async submit(caller: Caller, id: string): Promise<ApplicationView> {
    const view = await this.store.transaction(async (tx) => {
      const app = await this.lockOwned(tx, caller, id);
      const transition = this.decide(app, 'submit', 'applicant');
      const { missing, applicant, documents, consents } = await this.submissionState(tx, id);
      if (missing.length > 0) throw validationFailed(missing);
      const moved = await this.move(tx, app, transition, caller, { submittedAt: this.clock(), expiresAt: null }, { resubmission: app.state === 'resubmission_required' });
      return applicationView(moved, applicant, documents, consents);
    });
    this.options.onOutcome?.('submitted');
    return view;
  }

  async cancel(caller: Caller, id: string): Promise<ApplicationView> {
    const actor: Actor | undefined = caller.role === 'customer' ? 'applicant' : caller.role === 'admin' ? 'admin' : undefined;
    if (actor === undefined) throw forbidden('only the applicant or an admin can cancel an application');
    const view = await this.store.transaction(async (tx) => {
      const app = caller.role === 'customer' ? await this.lockOwned(tx, caller, id) : await this.lockExisting(tx, id);
      const transition = this.decide(app, 'cancel', actor);
      await this.move(tx, app, transition, caller, { decidedAt: this.clock(), expiresAt: null }, {});
      return this.viewIn(tx, id, caller);
    });
    this.options.onOutcome?.('cancelled');
    return view;
  }

  /**
   * The applicant withdraws consent (DPDP Act): no further processing, so an open application is
   * cancelled too. The records themselves stay for the retention period KYC rules require.
   */
  async withdrawConsent(caller: Caller, id: string): Promise<ApplicationView> {
    const view = await this.store.transaction(async (tx) => {
      const app = await this.lockOwned(tx, caller, id);
      const withdrawn = await tx.withdrawConsents(id);
      if (withdrawn === 0) throw invalidState('there is no active consent to withdraw');
      await tx.audit({ applicationId: id, actorId: caller.id, actorRole: caller.role, action: 'withdraw_consent', requestId: caller.requestId });
      await tx.publish({ type: 'consent.withdrawn', subject: id, actor: caller.id, data: { applicationId: id, ownerId: app.ownerId } });
      if (OPEN_STATES.includes(app.state)) {
        await this.move(tx, app, this.decide(app, 'cancel', 'applicant'), caller, { decidedAt: this.clock(), expiresAt: null }, { reason: 'consent_withdrawn' });
      }
      return this.viewIn(tx, id, caller);
    });
    if (view.state === 'cancelled') this.options.onOutcome?.('cancelled');
    return view;
  }

  async reviewQueue(caller: Caller, state: string | undefined, limit: number): Promise<QueueItem[]> {
    if (!STAFF.includes(caller.role)) throw forbidden('the review queue is for bank staff');
    const states: ApplicationState[] =
      state === 'pending_review' || state === 'pending_approval'
        ? [state]
        : caller.role === 'maker'
          ? ['pending_review']
          : caller.role === 'checker'
            ? ['pending_approval']
            : ['pending_review', 'pending_approval'];
    const rows = await this.store.transaction((tx) => tx.reviewQueue(states, limit));
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
    return this.store.transaction(async (tx) => {
      const app = await this.lockForReview(tx, caller, id);
      const transition = this.decide(app, 'recommend', actorOf(caller));
      if (!input.ok) throw validationFailed(input.errors);
      await this.move(
        tx,
        app,
        transition,
        caller,
        { makerId: caller.id, recommendation: input.value.recommendation, checkerId: null },
        { makerId: caller.id, recommendation: input.value.recommendation },
        input.value.note,
      );
      return this.viewIn(tx, id, caller);
    });
  }

  async requestResubmission(caller: Caller, id: string, body: unknown): Promise<ApplicationView> {
    const input = parseResubmissionRequest(body);
    return this.store.transaction(async (tx) => {
      const app = await this.lockForReview(tx, caller, id);
      const transition = this.decide(app, 'request_resubmission', actorOf(caller));
      if (!input.ok) throw validationFailed(input.errors);
      const reason = scrubString(input.value.reason);
      await this.move(
        tx,
        app,
        transition,
        caller,
        { expiresAt: new Date(this.clock().getTime() + this.resubmissionTtlMs) },
        { reason, documents: input.value.documents },
        reason,
      );
      return this.viewIn(tx, id, caller);
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

  private async checkerDecision(caller: Caller, id: string, action: 'approve' | 'reject' | 'return', body: unknown): Promise<ApplicationView> {
    const input = parseDecision(body, action !== 'approve');
    const view = await this.store.transaction(async (tx) => {
      const app = await this.lockForReview(tx, caller, id);
      const transition = this.decide(app, action, actorOf(caller));
      const violation = checkFourEyes(app.makerId, caller.id);
      if (violation) throw forbidden(violation.message);
      if (!input.ok) throw validationFailed(input.errors);
      const reason = input.value.reason !== undefined ? scrubString(input.value.reason) : undefined;
      const now = this.clock();
      if (action === 'approve') {
        const category = app.riskCategory ?? 'high';
        const due = reKycDueDate(category, now).toISOString().slice(0, 10);
        const previous = await tx.previousRiskCategory(app.ownerId, id);
        await this.move(tx, app, transition, caller, { checkerId: caller.id, decidedAt: now, rekycDueOn: due }, {
          makerId: app.makerId,
          checkerId: caller.id,
          riskCategory: category,
          reKycDueOn: due,
        }, reason);
        if (previous !== category) {
          await tx.publish({
            type: 'customer.risk_category.changed',
            subject: app.ownerId,
            actor: caller.id,
            data: { customerId: app.ownerId, applicationId: id, previous, current: category, reKycDueOn: due },
          });
        }
      } else if (action === 'reject') {
        await this.move(tx, app, transition, caller, { checkerId: caller.id, decidedAt: now }, { decidedBy: 'checker', reason }, reason);
      } else {
        await this.move(tx, app, transition, caller, { checkerId: caller.id, recommendation: null }, { reason: 'returned_by_checker', note: reason }, reason);
      }
      return this.viewIn(tx, id, caller);
    });
    if (action !== 'return') this.options.onOutcome?.(action === 'approve' ? 'approved' : 'rejected');
    return view;
  }

  /**
   * The automatic checks for a submitted application (run by the Kafka consumer of
   * kyc.application.submitted). Safe to run again for the same application: it only acts on an
   * application that is submitted, or processing after an interrupted run.
   */
  async runChecks(applicationId: string): Promise<'done' | 'skipped'> {
    const system: Caller = { id: 'system', role: 'admin' };
    const started = await this.store.transaction(async (tx) => {
      const app = await tx.lockApplication(applicationId);
      if (!app) return false;
      if (app.state === 'processing') return true;
      if (app.state !== 'submitted') return false;
      await this.move(tx, app, this.decide(app, 'start_processing', 'system'), system, {}, {});
      return true;
    });
    if (!started) return 'skipped';
    const outcome = await this.store.transaction(async (tx) => {
      const app = await tx.lockApplication(applicationId);
      if (!app || app.state !== 'processing') return null;
      const result = await this.evaluate(tx, app);
      const findings = {
        checks: result.results,
        screening: result.screening,
        risk: result.risk,
        duplicates: result.duplicates,
      };
      for (const check of result.results) {
        await tx.publish({
          type: check.status === 'failed' ? 'kyc.check.failed' : 'kyc.check.completed',
          subject: applicationId,
          actor: 'system',
          data: { applicationId, ownerId: app.ownerId, check: check.check, status: check.status, detail: check.detail },
        });
      }
      if (result.screening.hits.length > 0) {
        await tx.publish({
          type: 'kyc.screening.hit_found',
          subject: applicationId,
          actor: 'system',
          data: {
            applicationId,
            ownerId: app.ownerId,
            band: result.screening.band,
            hits: result.screening.hits.map((h) => ({ entryId: h.entryId, source: h.source, kind: h.kind, score: h.score, band: h.band })),
          },
        });
      }
      const changes: ApplicationChanges = {
        screeningBand: result.screening.band,
        riskScore: result.risk.score,
        riskCategory: result.risk.category,
        findings,
      };
      if (result.decision === 'reject') {
        const failed = result.results.filter((r) => r.status === 'failed').map((r) => r.check);
        await this.move(tx, app, this.decide(app, 'fail_checks', 'system'), system, { ...changes, decidedAt: this.clock() }, {
          decidedBy: 'automatic_checks',
          failedChecks: failed,
        });
      } else {
        await this.move(tx, app, this.decide(app, 'pass_checks', 'system'), system, changes, {
          queue: 'maker',
          riskCategory: result.risk.category,
          screeningBand: result.screening.band,
        });
      }
      return result.decision;
    });
    if (outcome === null) return 'skipped';
    this.options.onOutcome?.('checked');
    if (outcome === 'reject') this.options.onOutcome?.('rejected');
    return 'done';
  }

  /**
   * The automatic checks kept failing (e.g. a record that does not decrypt, a dependency away for
   * good): the application goes to a maker's review queue with the reason, instead of staying in
   * `processing`. A `submitted` application is first moved to `processing` (both transitions are
   * audited and published). Anything else — already decided or reviewed — is left alone.
   */
  async referForManualReview(applicationId: string, reason: { code: 'automatic_checks_failed'; attempts: number; error: string }): Promise<'done' | 'skipped'> {
    const system: Caller = { id: 'system', role: 'admin' };
    const error = scrubString(reason.error).slice(0, 300);
    const referred = await this.store.transaction(async (tx) => {
      let app = await tx.lockApplication(applicationId);
      if (!app) return false;
      if (app.state === 'submitted') app = await this.move(tx, app, this.decide(app, 'start_processing', 'system'), system, {}, {});
      if (app.state !== 'processing') return false;
      await this.move(
        tx,
        app,
        this.decide(app, 'refer_to_review', 'system'),
        system,
        { findings: { checks: [], manualReview: { reason: reason.code, attempts: reason.attempts, error } } },
        { queue: 'maker', reason: reason.code, attempts: reason.attempts },
        `${reason.code}: ${reason.attempts} attempts; last error: ${error}`,
      );
      return true;
    });
    return referred ? 'done' : 'skipped';
  }

  /**
   * Applications still in `processing` `olderThanMs` after they got there — their checks were cut
   * short (a crash) or their event was given up on (PostgreSQL away for every redelivery). Each is
   * re-driven: the checks run again, and if they fail again it is referred to manual review. Safe on
   * every replica at once (each step locks the application and acts only on `processing`).
   */
  async redriveStuck(olderThanMs: number, limit = 20): Promise<{ done: number; referred: number }> {
    const before = new Date(this.clock().getTime() - olderThanMs);
    const ids = await this.store.transaction((tx) => tx.stuckInProcessing(before, limit));
    let done = 0;
    let referred = 0;
    for (const id of ids) {
      try {
        if ((await this.runChecks(id)) === 'done') done += 1;
      } catch (error) {
        const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        if ((await this.referForManualReview(id, { code: 'automatic_checks_failed', attempts: 1, error: `re-driven after ${Math.round(olderThanMs / 60_000)} min in processing; ${message}` })) === 'done') referred += 1;
      }
    }
    return { done, referred };
  }

  /** Expires drafts and resubmission requests whose time is up; returns how many. */
  async expireStale(limit = 100): Promise<number> {
    const system: Caller = { id: 'system', role: 'admin' };
    const expired = await this.store.transaction(async (tx) => {
      const stale = await tx.lockExpired(this.clock(), limit);
      for (const app of stale) {
        await this.move(tx, app, this.decide(app, 'expire', 'system'), system, { decidedAt: this.clock() }, {});
      }
      return stale.length;
    });
    for (let i = 0; i < expired; i++) this.options.onOutcome?.('expired');
    return expired;
  }

  /**
   * Tells customers whose periodic re-KYC falls due within `noticeDays` (customer.rekyc.due, once per
   * approval); returns how many were told.
   */
  async announceReKycDue(noticeDays = 30, limit = 100): Promise<number> {
    const until = new Date(this.clock().getTime() + noticeDays * DAY_MS).toISOString().slice(0, 10);
    return this.store.transaction(async (tx) => {
      const due = await tx.lockReKycDue(until, limit);
      for (const app of due) {
        await tx.publish({
          type: 'customer.rekyc.due',
          subject: app.ownerId,
          actor: 'system',
          data: { customerId: app.ownerId, ownerId: app.ownerId, applicationId: app.id, dueOn: app.rekycDueOn, riskCategory: app.riskCategory },
        });
        await tx.markReKycNoticeSent(app.id);
        await tx.audit({ applicationId: app.id, actorId: 'system', actorRole: 'system', action: 'rekyc_due_notice', detail: { dueOn: app.rekycDueOn } });
      }
      return due.length;
    });
  }

  private async evaluate(tx: KycTransaction, app: ApplicationRecord): Promise<ChecksOutcome> {
    const stored = await tx.readApplicant(app.id);
    const data = stored?.data ?? {};
    if (!stored?.aadhaar || !data.name || !data.dateOfBirth || !data.pan || !data.address) {
      // submit() refuses incomplete applications, so this is a record changed behind the service's back.
      throw new KycError('invalid_state', `application ${app.id} is incomplete; cannot run checks`);
    }
    const aadhaar = await tx.revealAadhaar(stored.aadhaar.token);
    const documents = [];
    for (const meta of await tx.listDocuments(app.id)) {
      const doc = await tx.readDocumentContent(app.id, meta.id);
      if (doc) documents.push({ id: meta.id, type: meta.type, contentType: meta.contentType, head: doc.content.subarray(0, 16) });
    }
    const identity = await tx.applicationsWithSameIdentity(app.id);
    const duplicates = identity.candidate ? findDuplicates(identity.candidate, identity.others) : [];
    return runAutomaticChecks(
      {
        name: data.name,
        dateOfBirth: data.dateOfBirth,
        pan: data.pan,
        aadhaar,
        addressCountry: data.address.country,
        ...(data.passport !== undefined && { passport: data.passport }),
        ...(data.voterId !== undefined && { voterId: data.voterId }),
        ...(data.drivingLicence !== undefined && { drivingLicence: data.drivingLicence }),
        ...(data.ckycNumber !== undefined && { ckycNumber: data.ckycNumber }),
      },
      documents,
      duplicates,
      this.options.watchlist,
      this.clock(),
    );
  }

  private decide(app: ApplicationRecord, action: ApplicationAction, actor: Actor) {
    const decision = decideTransition(app.state, action, actor);
    if (decision.ok) return decision.transition;
    if (decision.refusal.kind === 'forbidden_actor') throw forbidden(decision.refusal.message);
    throw invalidState(decision.refusal.message);
  }

  /** Applies a transition: the state change, its audit record and its event, in the caller's transaction. */
  private async move(
    tx: KycTransaction,
    app: ApplicationRecord,
    transition: { to: ApplicationState; action: ApplicationAction; event: string },
    caller: Caller,
    changes: ApplicationChanges,
    eventData: Record<string, unknown>,
    note?: string,
  ): Promise<ApplicationRecord> {
    const moved = await tx.updateApplication(app.id, { ...changes, state: transition.to });
    await tx.audit({
      applicationId: app.id,
      actorId: caller.id,
      actorRole: caller.id === 'system' ? 'system' : caller.role,
      action: transition.action,
      fromState: app.state,
      toState: transition.to,
      detail: note !== undefined ? { note: scrubString(note) } : {},
      requestId: caller.requestId,
    });
    await tx.publish({
      type: transition.event,
      subject: app.id,
      actor: caller.id,
      data: { applicationId: app.id, ownerId: app.ownerId, fromState: app.state, toState: transition.to, ...eventData },
    });
    return moved;
  }

  private async submissionState(
    tx: KycTransaction,
    id: string,
  ): Promise<{ missing: FieldError[]; applicant: StoredApplicantRecord | null; documents: DocumentMeta[]; consents: ConsentRecord[] }> {
    const errors: FieldError[] = [];
    const snap = tx.snapshot ? await tx.snapshot(id, { history: false }) : undefined;
    const stored = snap ? snap.applicant : await tx.readApplicant(id);
    const data = stored?.data ?? {};
    for (const field of ['name', 'dateOfBirth', 'pan', 'address'] as const) {
      if (data[field] === undefined) errors.push({ field, message: 'is required before submitting' });
    }
    if (!stored?.aadhaar) errors.push({ field: 'aadhaar', message: 'is required before submitting' });
    const documents = snap ? snap.documents : await tx.listDocuments(id);
    errors.push(...missingDocuments(documents.map((d) => d.type)));
    const consents = snap ? snap.consents : await tx.listConsents(id);
    if (!consents.some((c) => c.withdrawnAt === null && c.purposes.includes('kyc_verification'))) {
      errors.push({ field: 'consent', message: 'consent to KYC verification is required' });
    }
    return { missing: errors, applicant: stored, documents, consents };
  }

  private authoriseRead(caller: Caller, app: ApplicationRecord | null): asserts app is ApplicationRecord {
    if (!app) throw notFound();
    if (STAFF.includes(caller.role)) return;
    // Someone else's application does not exist as far as a customer can tell.
    if (caller.role !== 'customer' || app.ownerId !== caller.id) throw notFound();
  }

  private async lockOwned(tx: KycTransaction, caller: Caller, id: string): Promise<ApplicationRecord> {
    if (caller.role !== 'customer') throw forbidden('only the applicant can change an application');
    const app = await tx.lockApplication(id);
    if (!app || app.ownerId !== caller.id) throw notFound();
    return app;
  }

  /** The application a member of staff is about to review, locked; refused if it is their own. */
  private async lockForReview(tx: KycTransaction, caller: Caller, id: string): Promise<ApplicationRecord> {
    const app = await this.lockExisting(tx, id);
    const own = checkNotOwnApplication(app.ownerId, caller.id);
    if (own) throw forbidden(own.message);
    return app;
  }

  private async lockExisting(tx: KycTransaction, id: string): Promise<ApplicationRecord> {
    const app = await tx.lockApplication(id);
    if (!app) throw notFound();
    return app;
  }

  private async viewIn(tx: KycTransaction, id: string, caller: Caller, loaded?: ApplicationRecord): Promise<ApplicationView> {
    const staff = STAFF.includes(caller.role);
    if (tx.snapshot) {
      // One statement for the whole view (the transaction's own changes included).
      const snap = await tx.snapshot(id, { history: staff });
      if (!snap) throw notFound();
      const view = applicationView(snap.application, snap.applicant, snap.documents, snap.consents);
      if (staff) {
        view.findings = snap.application.findings ?? null;
        view.history = historyView(snap.auditTrail ?? []);
      }
      return view;
    }
    const app = loaded ?? (await tx.getApplication(id));
    if (!app) throw notFound();
    // One transaction is one connection: its queries run one after another.
    const applicant = await tx.readApplicant(id);
    const documents = await tx.listDocuments(id);
    const consents = await tx.listConsents(id);
    const view = applicationView(app, applicant, documents, consents);
    if (staff) {
      view.findings = app.findings ?? null;
      view.history = historyView(await tx.auditTrail(id));
    }
    return view;
  }
}

function actorOf(caller: Caller): Actor {
  return caller.role === 'customer' ? 'applicant' : caller.role;
}

function mergeApplicant(stored: ApplicantData, update: ApplicantUpdate): ApplicantData {
  const merged: ApplicantData = { ...stored };
  if (update.name !== undefined) merged.name = update.name;
  if (update.dateOfBirth !== undefined) merged.dateOfBirth = update.dateOfBirth;
  if (update.address !== undefined) merged.address = update.address;
  if (update.pan !== undefined) merged.pan = update.pan.number;
  if (update.passport !== undefined) merged.passport = update.passport;
  if (update.voterId !== undefined) merged.voterId = update.voterId;
  if (update.drivingLicence !== undefined) merged.drivingLicence = update.drivingLicence;
  if (update.ckycNumber !== undefined) merged.ckycNumber = update.ckycNumber;
  return merged;
}

const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

function documentView(d: DocumentMeta): ApplicationView['documents'][number] {
  return { id: d.id, type: d.type, contentType: d.contentType, sizeBytes: d.sizeBytes, uploadedAt: d.uploadedAt.toISOString() };
}

function applicationView(
  app: ApplicationRecord,
  applicant: StoredApplicantRecord | null,
  documents: readonly DocumentMeta[],
  consents: readonly ConsentRecord[],
): ApplicationView {
  const data = applicant?.data ?? {};
  const masked = (value: string | undefined) => (value === undefined ? null : maskAllButLast(value));
  return {
    id: app.id,
    state: app.state,
    ownerId: app.ownerId,
    createdAt: app.createdAt.toISOString(),
    updatedAt: app.updatedAt.toISOString(),
    submittedAt: iso(app.submittedAt),
    decidedAt: iso(app.decidedAt),
    expiresAt: iso(app.expiresAt),
    applicant: {
      name: data.name ?? null,
      dateOfBirth: data.dateOfBirth ?? null,
      address: data.address ?? null,
      pan: applicant?.panMasked ?? null,
      aadhaar: applicant?.aadhaar ? maskAadhaar(applicant.aadhaar.last4, applicant.aadhaar.kind) : null,
      passport: masked(data.passport),
      voterId: masked(data.voterId),
      drivingLicence: masked(data.drivingLicence),
      ckycNumber: masked(data.ckycNumber),
    },
    documents: documents.map(documentView),
    consents: consents.map((c) => ({ purposes: c.purposes, noticeVersion: c.noticeVersion, grantedAt: c.grantedAt.toISOString(), withdrawnAt: iso(c.withdrawnAt) })),
    review: { makerId: app.makerId, recommendation: app.recommendation, checkerId: app.checkerId },
    risk: { score: app.riskScore, category: app.riskCategory, reKycDueOn: app.rekycDueOn },
    screeningBand: app.screeningBand,
  };
}

/**
 * Reads (of the application or a document) stay in the audit trail for auditors but not in the history
 * a reviewer is shown: that is the application's life, and a reviewer's own page loads would drown it.
 */
const READ_ACTIONS: readonly string[] = ['read_application', 'read_document'];

function historyView(trail: readonly AuditRecord[]): NonNullable<ApplicationView['history']> {
  return trail.filter((a) => !READ_ACTIONS.includes(a.action)).map((a) => ({
    at: a.at.toISOString(),
    action: a.action,
    actorRole: a.actorRole,
    actorId: a.actorId,
    fromState: a.fromState ?? null,
    toState: a.toState ?? null,
  }));
}
