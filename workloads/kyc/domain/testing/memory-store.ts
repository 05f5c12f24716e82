// An in-memory KycStore for the use cases' unit tests. It depends only on the domain's ports, so it
// lives under them (testing/ is left out of the build: tsconfig.build.json). store-contract.ts runs the
// same cases against it and against PostgreSQL (test/integration/workloads/kyc-store.test.ts) so that
// it cannot drift from the real store: what PostgreSQL enforces (data-access/migrations.ts: the
// state-machine trigger, maker ≠ checker, unique ids) it enforces too, and it answers in the same
// orders.
import { randomBytes } from 'node:crypto';
import { type ApplicationState, allowedStatePairs } from '../application-state.js';
import type { ExistingApplication } from '../duplicates.js';
import type { Aadhaar } from '../identity/aadhaar.js';
import { maskPan } from '../identity/pan.js';
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
} from '../ports.js';
import type { RiskCategory } from '../risk.js';

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

const ALLOWED = new Set(allowedStatePairs().map(([from, to]) => `${from}>${to}`));

/**
 * Transactions work on a copy that replaces the state only when the work succeeds, and run one at a
 * time: PostgreSQL's row and advisory locks make a second transaction on the same application (or the
 * same owner's drafts) wait for the first; here every transaction waits, which is stricter but gives
 * the same answers.
 */
export class MemoryStore implements KycStore {
  state: MemoryState = {
    applications: new Map(),
    applicants: new Map(),
    vault: new Map(),
    documents: [],
    consents: [],
    audit: [],
    events: [],
    noticed: new Set(),
  };
  private running: Promise<void> = Promise.resolve();

  constructor(private readonly now: () => Date) {}

  async transaction<T>(work: (tx: KycTransaction) => Promise<T>): Promise<T> {
    const previous = this.running;
    let finished: () => void = () => undefined;
    this.running = new Promise<void>((resolve) => {
      finished = resolve;
    });
    await previous;
    try {
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
    } finally {
      finished();
    }
  }
}

const documentMeta = (d: DocumentMeta): DocumentMeta => ({
  id: d.id,
  type: d.type,
  contentType: d.contentType,
  sizeBytes: d.sizeBytes,
  uploadedAt: d.uploadedAt,
});
/** PostgreSQL compares uuids byte by byte: as their lower-case text compares code unit by code unit. */
const byId = (a: { id: string }, b: { id: string }): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const byTime = (a: Date | null, b: Date | null): number => (a?.getTime() ?? Infinity) - (b?.getTime() ?? Infinity);

class MemoryTransaction implements KycTransaction {
  constructor(
    private readonly s: MemoryState,
    private readonly now: () => Date,
  ) {}
  private applications(): ApplicationRecord[] {
    return [...this.s.applications.values()];
  }
  lockOwnerDrafts(ownerId: string): Promise<number> {
    return Promise.resolve(this.applications().filter((a) => a.ownerId === ownerId && a.state === 'draft').length);
  }
  insertApplication(app: { id: string; ownerId: string; expiresAt: Date }): Promise<ApplicationRecord> {
    if (this.s.applications.has(app.id)) return Promise.reject(new Error(`application ${app.id} already exists`));
    const record: ApplicationRecord = {
      id: app.id,
      ownerId: app.ownerId,
      state: 'draft',
      createdAt: this.now(),
      updatedAt: this.now(),
      submittedAt: null,
      decidedAt: null,
      expiresAt: app.expiresAt,
      makerId: null,
      recommendation: null,
      checkerId: null,
      screeningBand: null,
      riskScore: null,
      riskCategory: null,
      rekycDueOn: null,
      findings: null,
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
    if (!current) return Promise.reject(new Error(`update of application ${id}: no such application`));
    const defined = Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined));
    const next = { ...current, ...defined, updatedAt: this.now() } as ApplicationRecord;
    // What the database's trigger and checks refuse (data-access/migrations.ts).
    if (next.state !== current.state && !ALLOWED.has(`${current.state}>${next.state}`)) {
      return Promise.reject(new Error(`illegal application transition ${current.state} -> ${next.state}`));
    }
    if (next.checkerId !== null && next.makerId !== null && next.checkerId === next.makerId) {
      return Promise.reject(new Error('checker_is_not_maker: the checker cannot be the maker'));
    }
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
      const token = `avt_${randomBytes(24).toString('base64url')}`;
      this.s.vault.set(token, aadhaar.number);
      vaultRef = { token, last4: aadhaar.last4, kind: aadhaar.kind };
    }
    this.s.applicants.set(applicationId, { data, panMasked: data.pan !== undefined ? maskPan(data.pan) : null, aadhaar: vaultRef });
    return Promise.resolve();
  }
  revealAadhaar(token: string) {
    const number = this.s.vault.get(token);
    return number === undefined ? Promise.reject(new Error('Aadhaar vault token not found')) : Promise.resolve(number);
  }
  insertDocument(doc: {
    id: string;
    applicationId: string;
    type: DocumentMeta['type'];
    contentType: DocumentMeta['contentType'];
    content: Buffer;
  }) {
    const meta = { id: doc.id, type: doc.type, contentType: doc.contentType, sizeBytes: doc.content.length, uploadedAt: this.now() };
    this.s.documents.push({ ...meta, applicationId: doc.applicationId, content: doc.content });
    return Promise.resolve(meta);
  }
  listDocuments(applicationId: string) {
    return Promise.resolve(this.s.documents.filter((d) => d.applicationId === applicationId).map(documentMeta));
  }
  readDocumentContent(applicationId: string, documentId: string) {
    const d = this.s.documents.find((x) => x.applicationId === applicationId && x.id === documentId);
    return Promise.resolve(d ? { meta: documentMeta(d), content: d.content } : null);
  }
  insertConsent(c: { id: string; applicationId: string; purposes: string[]; noticeVersion: string }) {
    this.s.consents.push({
      id: c.id,
      applicationId: c.applicationId,
      purposes: c.purposes,
      noticeVersion: c.noticeVersion,
      grantedAt: this.now(),
      withdrawnAt: null,
    });
    return Promise.resolve();
  }
  listConsents(applicationId: string): Promise<ConsentRecord[]> {
    return Promise.resolve(
      this.s.consents
        .filter((c) => c.applicationId === applicationId)
        .map((c) => ({
          id: c.id,
          purposes: c.purposes,
          noticeVersion: c.noticeVersion,
          grantedAt: c.grantedAt,
          withdrawnAt: c.withdrawnAt,
        })),
    );
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
    // As the table stores it: no state is null, no detail is {}.
    this.s.audit.push({
      ...entry,
      fromState: entry.fromState ?? null,
      toState: entry.toState ?? null,
      detail: entry.detail ?? {},
      at: this.now(),
    });
    return Promise.resolve();
  }
  auditTrail(applicationId: string) {
    return Promise.resolve(this.s.audit.filter((a) => a.applicationId === applicationId));
  }
  publish(event: DomainEvent) {
    this.s.events.push(event);
    return Promise.resolve();
  }
  /** The clear numbers stand in for the blind indexes: equal exactly when the digests would be. */
  applicationsWithSameIdentity(applicationId: string) {
    const keys = (a: ApplicationRecord): ExistingApplication | null => {
      const applicant = this.s.applicants.get(a.id);
      if (!applicant) return null;
      const aadhaar = applicant.aadhaar ? (this.s.vault.get(applicant.aadhaar.token) ?? null) : null;
      return { applicationId: a.id, ownerId: a.ownerId, state: a.state, panIndex: applicant.data.pan ?? null, aadhaarIndex: aadhaar };
    };
    const app = this.s.applications.get(applicationId);
    const candidate = app ? keys(app) : null;
    if (!candidate) return Promise.resolve({ candidate: null, others: [] });
    const others = this.applications()
      .filter((a) => a.id !== applicationId)
      .map(keys)
      .filter((o): o is ExistingApplication => o !== null)
      .filter(
        (o) =>
          (o.panIndex !== null && o.panIndex === candidate.panIndex) ||
          (o.aadhaarIndex !== null && o.aadhaarIndex === candidate.aadhaarIndex),
      )
      .slice(0, 100);
    return Promise.resolve({ candidate, others });
  }
  previousRiskCategory(ownerId: string, except: string): Promise<RiskCategory | null> {
    const approved = this.applications()
      .filter((a) => a.ownerId === ownerId && a.id !== except && a.state === 'approved')
      .sort((a, b) => byTime(b.decidedAt, a.decidedAt));
    return Promise.resolve(approved[0]?.riskCategory ?? null);
  }
  reviewQueue(states: readonly ApplicationState[], limit: number, after?: string) {
    const order = (a: ApplicationRecord, b: ApplicationRecord): number => byTime(a.submittedAt, b.submittedAt) || byId(a, b);
    const cursor = after === undefined ? undefined : this.applications().find((a) => a.id === after);
    if (after !== undefined && cursor?.submittedAt == null) return Promise.resolve([]);
    return Promise.resolve(
      this.applications()
        .filter((a) => states.includes(a.state) && (cursor === undefined || (a.submittedAt !== null && order(a, cursor) > 0)))
        .sort(order)
        .slice(0, limit),
    );
  }
  lockReKycDue(until: string, limit: number) {
    return Promise.resolve(
      this.applications()
        .filter((a) => a.state === 'approved' && a.rekycDueOn !== null && a.rekycDueOn <= until && !this.s.noticed.has(a.id))
        .sort((a, b) => ((a.rekycDueOn as string) < (b.rekycDueOn as string) ? -1 : 1))
        .slice(0, limit),
    );
  }
  markReKycNoticeSent(id: string) {
    this.s.noticed.add(id);
    return Promise.resolve();
  }
  stuckInProcessing(before: Date, limit: number) {
    return Promise.resolve(
      this.applications()
        .filter((a) => a.state === 'processing' && a.updatedAt < before)
        .sort((a, b) => byTime(a.updatedAt, b.updatedAt))
        .slice(0, limit)
        .map((a) => a.id),
    );
  }
  lockExpired(now: Date, limit: number) {
    return Promise.resolve(
      this.applications()
        .filter((a) => (a.state === 'draft' || a.state === 'resubmission_required') && a.expiresAt !== null && a.expiresAt < now)
        .sort((a, b) => byTime(a.expiresAt, b.expiresAt))
        .slice(0, limit),
    );
  }
}
