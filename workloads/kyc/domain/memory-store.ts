// An in-memory KycStore for the use cases' unit tests. It depends only on the domain's ports, so it
// lives beside them; store-contract.ts runs the same cases against it and against PostgreSQL
// (test/integration/workloads/kyc-store.test.ts) so that it cannot drift from the real store.
import type { ApplicationState } from './application-state.js';
import type { Aadhaar } from './identity/aadhaar.js';
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

export interface MemoryState {
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
export class MemoryStore implements KycStore {
  state: MemoryState = { applications: new Map(), applicants: new Map(), vault: new Map(), documents: [], consents: [], audit: [], events: [], noticed: new Set() };
  constructor(private readonly now: () => Date) {}

  async transaction<T>(work: (tx: KycTransaction) => Promise<T>): Promise<T> {
    const copy: MemoryState = {
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
    private readonly s: MemoryState,
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
