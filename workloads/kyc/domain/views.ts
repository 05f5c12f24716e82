// What a caller is shown of an application: identity numbers masked, the history only to staff, and
// every staff read recorded. The reads (`get`, a document's content) and the view every other use case
// returns after its change.
import type { ApplicationState } from './application-state.js';
import type { DocumentType } from './documents.js';
import { notFound } from './errors.js';
import { maskAadhaar } from './identity/aadhaar.js';
import { maskAllButLast } from './identity/result.js';
import type {
  ApplicantData,
  ApplicationRecord,
  AuditRecord,
  ConsentRecord,
  DocumentMeta,
  KycTransaction,
  StoredApplicantRecord,
} from './ports.js';
import { type Caller, STAFF, type UseCaseContext, authoriseRead } from './use-case-context.js';

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

export class Views {
  constructor(private readonly ctx: UseCaseContext) {}

  async get(caller: Caller, id: string): Promise<ApplicationView> {
    const staff = STAFF.includes(caller.role);
    const store = this.ctx.store;
    if (store.snapshot && !staff) {
      // One statement, one round trip: the hot read path (the owner reading their own application).
      const snap = await store.snapshot(id, { history: false });
      if (!snap) throw notFound();
      authoriseRead(caller, snap.application);
      return applicationView(snap.application, snap.applicant, snap.documents, snap.consents);
    }
    return store.transaction(async (tx) => {
      if (!staff) {
        const app = await tx.getApplication(id);
        authoriseRead(caller, app);
        return viewIn(tx, id, caller, app);
      }
      // Staff may read any application that exists (viewIn refuses one that does not). Seeing an
      // applicant's data is recorded like a document read, in the same transaction: if the record
      // cannot be written, the data is not shown.
      const view = await viewIn(tx, id, caller);
      await tx.audit({
        applicationId: view.id,
        actorId: caller.id,
        actorRole: caller.role,
        action: 'read_application',
        requestId: caller.requestId,
      });
      return view;
    });
  }

  async documentContent(caller: Caller, id: string, documentId: string): Promise<{ contentType: string; content: Buffer }> {
    return this.ctx.store.transaction(async (tx) => {
      const app = await tx.getApplication(id);
      authoriseRead(caller, app);
      const doc = await tx.readDocumentContent(id, documentId);
      if (!doc) throw notFound('document');
      await tx.audit({
        applicationId: id,
        actorId: caller.id,
        actorRole: caller.role,
        action: 'read_document',
        detail: { documentId },
        requestId: caller.requestId,
      });
      return { contentType: doc.meta.contentType, content: doc.content };
    });
  }
}

/** The application as `caller` may see it, read inside `tx` (its own changes included). */
export async function viewIn(tx: KycTransaction, id: string, caller: Caller, loaded?: ApplicationRecord): Promise<ApplicationView> {
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

export const iso = (d: Date | null): string | null => (d === null ? null : d.toISOString());

export function documentView(d: DocumentMeta): ApplicationView['documents'][number] {
  return { id: d.id, type: d.type, contentType: d.contentType, sizeBytes: d.sizeBytes, uploadedAt: d.uploadedAt.toISOString() };
}

export function applicationView(
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
    consents: consents.map((c) => ({
      purposes: c.purposes,
      noticeVersion: c.noticeVersion,
      grantedAt: c.grantedAt.toISOString(),
      withdrawnAt: iso(c.withdrawnAt),
    })),
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
  return trail
    .filter((a) => !READ_ACTIONS.includes(a.action))
    .map((a) => ({
      at: a.at.toISOString(),
      action: a.action,
      actorRole: a.actorRole,
      actorId: a.actorId,
      fromState: a.fromState ?? null,
      toState: a.toState ?? null,
    }));
}
