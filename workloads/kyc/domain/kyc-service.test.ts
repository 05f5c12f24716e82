// The use cases against an in-memory store: authorisation, the state machine, four eyes, idempotent
// checks and rollback on refusal — without a database.
import { beforeEach, describe, expect, it } from '@jest/globals';
import type { ApplicationState } from './application-state.js';
import { KycError } from './errors.js';
import type { Aadhaar } from './identity/aadhaar.js';
import { type Caller, KycService } from './kyc-service.js';
import type {
  ApplicantData,
  ApplicationChanges,
  ApplicationRecord,
  AuditEntry,
  AuditRecord,
  ConsentRecord,
  DocumentMeta,
  DomainEvent,
  KycStore,
  KycTransaction,
  StoredApplicantRecord,
} from './ports.js';
import type { WatchlistEntry } from './screening/screening.js';

interface State {
  applications: Map<string, ApplicationRecord>;
  applicants: Map<string, StoredApplicantRecord>;
  vault: Map<string, string>;
  documents: Array<DocumentMeta & { applicationId: string; content: Buffer }>;
  consents: Array<ConsentRecord & { applicationId: string }>;
  audit: AuditRecord[];
  events: DomainEvent[];
  noticed: Set<string>;
}

/** Transactions work on a copy that replaces the state only when the work succeeds. */
class MemoryStore implements KycStore {
  state: State = { applications: new Map(), applicants: new Map(), vault: new Map(), documents: [], consents: [], audit: [], events: [], noticed: new Set() };
  constructor(private readonly now: () => Date) {}

  async transaction<T>(work: (tx: KycTransaction) => Promise<T>): Promise<T> {
    const copy: State = {
      applications: new Map(this.state.applications),
      applicants: new Map(this.state.applicants),
      vault: new Map(this.state.vault),
      documents: [...this.state.documents],
      consents: [...this.state.consents],
      audit: [...this.state.audit],
      events: [...this.state.events],
      noticed: new Set(this.state.noticed),
    };
    const result = await work(new MemoryTransaction(copy, this.now));
    this.state = copy;
    return result;
  }
}

class MemoryTransaction implements KycTransaction {
  private tokens = 0;
  private readonly noticed: Set<string>;
  constructor(
    private readonly s: State,
    private readonly now: () => Date,
  ) {
    this.noticed = s.noticed;
  }
  lockOwnerDrafts(ownerId: string): Promise<number> {
    return Promise.resolve([...this.s.applications.values()].filter((a) => a.ownerId === ownerId && a.state === 'draft').length);
  }
  insertApplication(app: { id: string; ownerId: string; expiresAt: Date }): Promise<ApplicationRecord> {
    const record: ApplicationRecord = {
      id: app.id, ownerId: app.ownerId, state: 'draft', createdAt: this.now(), updatedAt: this.now(), submittedAt: null, decidedAt: null,
      expiresAt: app.expiresAt, makerId: null, recommendation: null, checkerId: null, screeningBand: null, riskScore: null,
      riskCategory: null, rekycDueOn: null, findings: null,
    };
    this.s.applications.set(app.id, record);
    return Promise.resolve(record);
  }
  getApplication(id: string) {
    return Promise.resolve(this.s.applications.get(id) ?? null);
  }
  lockApplication(id: string) {
    return this.getApplication(id);
  }
  updateApplication(id: string, changes: ApplicationChanges): Promise<ApplicationRecord> {
    const current = this.s.applications.get(id);
    if (!current) throw new Error('no such application');
    const next = { ...current, ...changes, updatedAt: this.now() } as ApplicationRecord;
    this.s.applications.set(id, next);
    return Promise.resolve(next);
  }
  readApplicant(applicationId: string) {
    return Promise.resolve(this.s.applicants.get(applicationId) ?? null);
  }
  writeApplicant(applicationId: string, data: ApplicantData, aadhaar?: Aadhaar): Promise<void> {
    const previous = this.s.applicants.get(applicationId);
    let vaultRef = previous?.aadhaar ?? null;
    if (aadhaar) {
      const token = `avt_${++this.tokens}_${applicationId}`;
      this.s.vault.set(token, aadhaar.number);
      vaultRef = { token, last4: aadhaar.last4, kind: aadhaar.kind };
    }
    this.s.applicants.set(applicationId, { data, panMasked: data.pan ? `${data.pan.slice(0, 5)}XXXX${data.pan.slice(9)}` : null, aadhaar: vaultRef });
    return Promise.resolve();
  }
  revealAadhaar(token: string) {
    return Promise.resolve(this.s.vault.get(token) ?? '');
  }
  insertDocument(doc: { id: string; applicationId: string; type: DocumentMeta['type']; contentType: DocumentMeta['contentType']; content: Buffer }) {
    const meta = { id: doc.id, type: doc.type, contentType: doc.contentType, sizeBytes: doc.content.length, uploadedAt: this.now() };
    this.s.documents.push({ ...meta, applicationId: doc.applicationId, content: doc.content });
    return Promise.resolve(meta);
  }
  listDocuments(applicationId: string) {
    return Promise.resolve(this.s.documents.filter((d) => d.applicationId === applicationId));
  }
  readDocumentContent(applicationId: string, documentId: string) {
    const d = this.s.documents.find((x) => x.applicationId === applicationId && x.id === documentId);
    return Promise.resolve(d ? { meta: d, content: d.content } : null);
  }
  insertConsent(c: { id: string; applicationId: string; purposes: string[]; noticeVersion: string }) {
    this.s.consents.push({ ...c, grantedAt: this.now(), withdrawnAt: null });
    return Promise.resolve();
  }
  listConsents(applicationId: string) {
    return Promise.resolve(this.s.consents.filter((c) => c.applicationId === applicationId));
  }
  withdrawConsents(applicationId: string) {
    let n = 0;
    this.s.consents = this.s.consents.map((c) => {
      if (c.applicationId !== applicationId || c.withdrawnAt !== null) return c;
      n++;
      return { ...c, withdrawnAt: this.now() };
    });
    return Promise.resolve(n);
  }
  audit(entry: AuditEntry) {
    this.s.audit.push({ ...entry, at: this.now() });
    return Promise.resolve();
  }
  auditTrail(applicationId: string) {
    return Promise.resolve(this.s.audit.filter((a) => a.applicationId === applicationId));
  }
  publish(event: DomainEvent) {
    this.s.events.push(event);
    return Promise.resolve();
  }
  applicationsWithSameIdentity(applicationId: string) {
    const key = (id: string) => ({ pan: this.s.applicants.get(id)?.data.pan ?? null, aadhaar: this.s.vault.get(this.s.applicants.get(id)?.aadhaar?.token ?? '') ?? null });
    const app = this.s.applications.get(applicationId);
    if (!app) return Promise.resolve({ candidate: null, others: [] });
    const toExisting = (a: ApplicationRecord) => ({ applicationId: a.id, ownerId: a.ownerId, state: a.state, panIndex: key(a.id).pan, aadhaarIndex: key(a.id).aadhaar });
    return Promise.resolve({ candidate: toExisting(app), others: [...this.s.applications.values()].filter((a) => a.id !== applicationId).map(toExisting) });
  }
  previousRiskCategory(ownerId: string, except: string) {
    const approved = [...this.s.applications.values()].filter((a) => a.ownerId === ownerId && a.id !== except && a.state === 'approved');
    return Promise.resolve(approved.at(-1)?.riskCategory ?? null);
  }
  reviewQueue(states: readonly ApplicationState[], limit: number) {
    return Promise.resolve([...this.s.applications.values()].filter((a) => states.includes(a.state)).slice(0, limit));
  }
  lockReKycDue(until: string, limit: number) {
    return Promise.resolve(
      [...this.s.applications.values()]
        .filter((a) => a.state === 'approved' && a.rekycDueOn !== null && a.rekycDueOn <= until && !this.noticed.has(a.id))
        .slice(0, limit),
    );
  }
  markReKycNoticeSent(id: string) {
    this.noticed.add(id);
    return Promise.resolve();
  }
  stuckInProcessing(before: Date, limit: number) {
    return Promise.resolve(
      [...this.s.applications.values()]
        .filter((a) => a.state === 'processing' && a.updatedAt < before)
        .slice(0, limit)
        .map((a) => a.id),
    );
  }
  lockExpired(now: Date, limit: number) {
    return Promise.resolve(
      [...this.s.applications.values()]
        .filter((a) => (a.state === 'draft' || a.state === 'resubmission_required') && a.expiresAt !== null && a.expiresAt < now)
        .slice(0, limit),
    );
  }
}

const WATCHLIST: WatchlistEntry[] = [{ id: 'S-1', kind: 'sanction', source: 'test', type: 'individual', name: 'Salim Memonwala', aliases: [], programme: 'p' }];
const APPLICANT = {
  name: 'Kavya Raghunathan',
  dateOfBirth: '1990-05-17',
  pan: 'ABCPR1234F',
  aadhaar: '234123412346',
  address: { line1: '12 MG Road', city: 'Bengaluru', state: 'Karnataka', pincode: '560001' },
};
const PDF = { type: 'passport', contentType: 'application/pdf', content: Buffer.from('%PDF-1.7 x').toString('base64') };
const PAN_CARD = { type: 'pan_card', contentType: 'application/pdf', content: Buffer.from('%PDF-1.4 y').toString('base64') };
const CONSENT = { consent: { purposes: ['kyc_verification'], noticeVersion: 'v1' } };

const customer: Caller = { id: 'cust-1', role: 'customer' };
const stranger: Caller = { id: 'cust-2', role: 'customer' };
const maker: Caller = { id: 'maker-1', role: 'maker' };
const checker: Caller = { id: 'checker-1', role: 'checker' };
const admin: Caller = { id: 'admin-1', role: 'admin' };

const refusal = async (work: Promise<unknown>): Promise<string> => {
  try {
    await work;
  } catch (error) {
    if (error instanceof KycError) return error.kind;
    throw error;
  }
  throw new Error('expected a refusal');
};

describe('KycService', () => {
  let now: Date;
  let store: MemoryStore;
  let service: KycService;
  const outcomes: string[] = [];

  beforeEach(() => {
    now = new Date('2026-11-26T10:00:00Z');
    store = new MemoryStore(() => now);
    outcomes.length = 0;
    service = new KycService({ store, watchlist: WATCHLIST, clock: () => now, onOutcome: (o) => outcomes.push(o) });
  });

  const submittedApplication = async (applicant: Record<string, unknown> = APPLICANT, owner = customer): Promise<string> => {
    const { id } = await service.createDraft(owner, CONSENT);
    await service.updateApplicant(owner, id, applicant);
    await service.uploadDocument(owner, id, PDF);
    await service.uploadDocument(owner, id, PAN_CARD);
    await service.submit(owner, id);
    return id;
  };
  const eventTypes = (id: string) => store.state.events.filter((e) => e.subject === id).map((e) => e.type);

  it('takes an application from draft to approved with four eyes, recording every step', async () => {
    const id = await submittedApplication();
    expect(await service.runChecks(id)).toBe('done');
    expect((await service.get(maker, id)).state).toBe('pending_review');
    await service.recommend(maker, id, { recommendation: 'approve' });
    const approved = await service.approve(checker, id, {});
    expect(approved).toMatchObject({ state: 'approved', risk: { category: 'low', reKycDueOn: '2036-11-26' }, review: { makerId: 'maker-1', checkerId: 'checker-1' } });
    expect(eventTypes(id)).toEqual([
      'kyc.application.created',
      'consent.granted',
      'kyc.document.uploaded',
      'kyc.document.uploaded',
      'kyc.application.submitted',
      'kyc.application.processing_started',
      ...Array<string>(7).fill('kyc.check.completed'),
      'kyc.application.review_assigned',
      'kyc.application.recommended',
      'kyc.application.approved',
    ]);
    expect(store.state.events.filter((e) => e.type === 'customer.risk_category.changed')).toEqual([
      expect.objectContaining({ subject: 'cust-1', data: expect.objectContaining({ previous: null, current: 'low' }) }),
    ]);
    expect(store.state.audit.map((a) => a.action)).toEqual([
      'create', 'update_applicant', 'upload_document', 'upload_document', 'submit', 'start_processing', 'pass_checks', 'read_application', 'recommend', 'approve',
    ]);
    expect(outcomes).toEqual(['created', 'submitted', 'checked', 'approved']);
  });

  it('shows identity numbers masked, never in clear', async () => {
    const { id } = await service.createDraft(customer, CONSENT);
    const view = await service.updateApplicant(customer, id, { ...APPLICANT, passport: 'J8369854' });
    expect(view.applicant).toMatchObject({ pan: 'ABCPRXXXXF', aadhaar: 'XXXX XXXX 2346', passport: 'XXXX9854' });
    expect(JSON.stringify(view)).not.toContain('234123412346');
  });

  it('refuses the maker deciding on their own recommendation and leaves nothing behind', async () => {
    const id = await submittedApplication();
    await service.runChecks(id);
    await service.recommend(maker, id, { recommendation: 'approve' });
    const before = store.state;
    expect(await refusal(service.approve({ id: 'maker-1', role: 'checker' }, id, {}))).toBe('forbidden');
    expect(await refusal(service.reject({ id: 'maker-1', role: 'checker' }, id, { reason: 'x' }))).toBe('forbidden');
    expect(store.state).toBe(before);
    expect(await refusal(service.approve(maker, id, {}))).toBe('forbidden');
  });

  it('runs the checks once even when the submitted event arrives twice', async () => {
    const id = await submittedApplication();
    expect(await service.runChecks(id)).toBe('done');
    expect(await service.runChecks(id)).toBe('skipped');
    expect(eventTypes(id).filter((t) => t === 'kyc.application.processing_started')).toHaveLength(1);
    expect(await service.runChecks('no-such-id')).toBe('skipped');
  });

  it('rejects a sanctioned applicant automatically', async () => {
    const id = await submittedApplication({ ...APPLICANT, name: 'Salim Memonwala', pan: 'ABCPM1234F' });
    await service.runChecks(id);
    const view = await service.get(maker, id);
    expect(view.state).toBe('rejected');
    expect(eventTypes(id)).toEqual(expect.arrayContaining(['kyc.check.failed', 'kyc.screening.hit_found', 'kyc.application.rejected']));
    expect(outcomes).toContain('rejected');
  });

  it('flags another customer using the same Aadhaar', async () => {
    const first = await submittedApplication();
    await service.runChecks(first);
    const second = await submittedApplication({ ...APPLICANT, pan: 'ABCPR9999Z' }, stranger);
    await service.runChecks(second);
    const view = await service.get(maker, second);
    expect(view.state).toBe('pending_review');
    expect(view.risk.category).toBe('medium');
  });

  it('lets only the owner change an application, hides it from other customers, and refuses staff', async () => {
    const { id } = await service.createDraft(customer, CONSENT);
    expect(await refusal(service.get(stranger, id))).toBe('not_found');
    expect(await refusal(service.updateApplicant(stranger, id, APPLICANT))).toBe('not_found');
    expect(await refusal(service.updateApplicant(maker, id, APPLICANT))).toBe('forbidden');
    expect(await refusal(service.createDraft(maker, CONSENT))).toBe('forbidden');
    expect(await refusal(service.cancel(maker, id))).toBe('forbidden');
    expect(await refusal(service.reviewQueue(customer, undefined, 10))).toBe('forbidden');
    expect((await service.get(maker, id)).history).toHaveLength(1);
    expect((await service.get(customer, id)).history).toBeUndefined();
  });

  it('names every missing piece when submitting too early', async () => {
    const { id } = await service.createDraft(customer, CONSENT);
    try {
      await service.submit(customer, id);
      throw new Error('expected a refusal');
    } catch (error) {
      expect(error).toBeInstanceOf(KycError);
      expect((error as KycError).fieldErrors.map((e) => e.field).sort()).toEqual(['aadhaar', 'address', 'dateOfBirth', 'documents', 'documents', 'name', 'pan']);
    }
  });

  it('cancels open applications once, by the owner or an admin', async () => {
    const a = (await service.createDraft(customer, CONSENT)).id;
    expect((await service.cancel(customer, a)).state).toBe('cancelled');
    expect(await refusal(service.cancel(customer, a))).toBe('invalid_state');
    const b = await submittedApplication();
    expect((await service.cancel(admin, b)).state).toBe('cancelled');
    expect(await service.runChecks(b)).toBe('skipped');
  });

  it('sends a returned application back to the makers and a resubmission back to the applicant', async () => {
    const id = await submittedApplication();
    await service.runChecks(id);
    await service.requestResubmission(maker, id, { reason: 'PAN ABCPR1234F scan unreadable' });
    expect(JSON.stringify(store.state.events.at(-1))).not.toContain('ABCPR1234F');
    expect((await service.get(customer, id)).state).toBe('resubmission_required');
    await service.submit(customer, id);
    await service.runChecks(id);
    await service.recommend(maker, id, { recommendation: 'reject' });
    expect((await service.returnToMaker(checker, id, { reason: 'look again' })).state).toBe('pending_review');
    await service.recommend({ id: 'maker-2', role: 'maker' }, id, { recommendation: 'approve' });
    expect((await service.approve(checker, id, {})).state).toBe('approved');
  });

  it('cancels an open application when the applicant withdraws consent, and keeps the records', async () => {
    const id = await submittedApplication();
    const view = await service.withdrawConsent(customer, id);
    expect(view.state).toBe('cancelled');
    expect(view.consents[0]?.withdrawnAt).not.toBeNull();
    expect(eventTypes(id).slice(-2)).toEqual(['consent.withdrawn', 'kyc.application.cancelled']);
    expect(await refusal(service.withdrawConsent(customer, id))).toBe('invalid_state');
    expect(await refusal(service.withdrawConsent(stranger, id))).toBe('not_found');
    expect(store.state.applicants.has(id)).toBe(true);
  });

  it('tells the customer once when their re-KYC falls due', async () => {
    const id = await submittedApplication();
    await service.runChecks(id);
    await service.recommend(maker, id, { recommendation: 'approve' });
    await service.approve(checker, id, {});
    expect(await service.announceReKycDue(30)).toBe(0);
    now = new Date('2036-11-01T00:00:00Z');
    expect(await service.announceReKycDue(30)).toBe(1);
    expect(await service.announceReKycDue(30)).toBe(0);
    expect(store.state.events.at(-1)).toMatchObject({ type: 'customer.rekyc.due', subject: 'cust-1', data: { dueOn: '2036-11-26', applicationId: id } });
  });

  it('expires drafts after their time', async () => {
    const { id } = await service.createDraft(customer, CONSENT);
    expect(await service.expireStale()).toBe(0);
    now = new Date(now.getTime() + 31 * 86_400_000);
    expect(await service.expireStale()).toBe(1);
    expect((await service.get(customer, id)).state).toBe('expired');
    expect(eventTypes(id).at(-1)).toBe('kyc.application.expired');
  });

  it('when a customer holds 5 open drafts, then a sixth is refused until one is submitted or cancelled', async () => {
    const drafts = [];
    for (let i = 0; i < 5; i++) drafts.push((await service.createDraft(customer, CONSENT)).id);
    const before = store.state;
    expect(await refusal(service.createDraft(customer, CONSENT))).toBe('limit_reached');
    expect(store.state).toBe(before);
    // Another customer has a cap of their own.
    expect((await service.createDraft(stranger, CONSENT)).state).toBe('draft');
    await service.cancel(customer, drafts[0] as string);
    expect((await service.createDraft(customer, CONSENT)).state).toBe('draft');
    const capped = new KycService({ store, watchlist: WATCHLIST, clock: () => now, maxOpenDrafts: 1 });
    expect(await refusal(capped.createDraft(stranger, CONSENT))).toBe('limit_reached');
  });

  it('when a member of staff is the applicant, then they can neither recommend, ask for documents nor decide on it', async () => {
    // The same user id as customer and, later, as staff (a role change keeps the id).
    const staffApplicant: Caller = { id: 'user-9', role: 'customer' };
    const id = await submittedApplication(APPLICANT, staffApplicant);
    await service.runChecks(id);
    const before = store.state;
    expect(await refusal(service.recommend({ id: 'user-9', role: 'maker' }, id, { recommendation: 'approve' }))).toBe('forbidden');
    expect(await refusal(service.requestResubmission({ id: 'user-9', role: 'maker' }, id, { reason: 'x' }))).toBe('forbidden');
    expect(store.state).toBe(before);
    await service.recommend(maker, id, { recommendation: 'approve' });
    for (const decide of [service.approve.bind(service), service.reject.bind(service), service.returnToMaker.bind(service)]) {
      expect(await refusal(decide({ id: 'user-9', role: 'checker' }, id, { reason: 'mine' }))).toBe('forbidden');
    }
    expect((await service.approve(checker, id, {})).state).toBe('approved');
  });

  it('records every staff read of an application in the audit trail, and no customer read', async () => {
    const { id } = await service.createDraft(customer, CONSENT);
    await service.get(customer, id);
    await service.get(maker, id);
    const view = await service.get(admin, id);
    // The history shown is the application's life; the reads are for auditors.
    expect(view.history?.map((h) => h.action)).toEqual(['create']);
    expect(store.state.audit.filter((a) => a.action === 'read_application').map((a) => [a.actorId, a.actorRole])).toEqual([
      ['maker-1', 'maker'],
      ['admin-1', 'admin'],
    ]);
    // A refused read is not a read.
    expect(await refusal(service.get(maker, 'no-such-id'))).toBe('not_found');
    expect(store.state.audit.filter((a) => a.action === 'read_application')).toHaveLength(2);
  });

  it('orders the review queue by role', async () => {
    const id = await submittedApplication();
    await service.runChecks(id);
    expect((await service.reviewQueue(maker, undefined, 10)).map((q) => q.id)).toEqual([id]);
    expect(await service.reviewQueue(checker, undefined, 10)).toEqual([]);
    expect((await service.reviewQueue(admin, undefined, 10)).map((q) => q.state)).toEqual(['pending_review']);
  });
});
