// What the use cases need from storage, as interfaces (data-access/ implements them on PostgreSQL).
// Everything inside one `transaction` commits or rolls back together, events and audit included.
import type { Address } from './applicant.js';
import type { ApplicationState } from './application-state.js';
import type { ExistingApplication } from './duplicates.js';
import type { ContentType, DocumentType } from './documents.js';
import type { Aadhaar } from './identity/aadhaar.js';
import type { RiskCategory } from './risk.js';
import type { ScreeningBand } from './screening/screening.js';

export interface ApplicationRecord {
  readonly id: string;
  readonly ownerId: string;
  readonly state: ApplicationState;
  readonly createdAt: Date;
  readonly updatedAt: Date;
  readonly submittedAt: Date | null;
  readonly decidedAt: Date | null;
  readonly expiresAt: Date | null;
  readonly makerId: string | null;
  readonly recommendation: 'approve' | 'reject' | null;
  readonly checkerId: string | null;
  readonly screeningBand: ScreeningBand | null;
  readonly riskScore: number | null;
  readonly riskCategory: RiskCategory | null;
  readonly rekycDueOn: string | null;
  readonly findings: unknown;
}

export type ApplicationChanges = Partial<
  Pick<
    ApplicationRecord,
    | 'state'
    | 'submittedAt'
    | 'decidedAt'
    | 'expiresAt'
    | 'makerId'
    | 'recommendation'
    | 'checkerId'
    | 'screeningBand'
    | 'riskScore'
    | 'riskCategory'
    | 'rekycDueOn'
    | 'findings'
  >
>;

/** The applicant's data in clear (only ever in memory). */
export interface ApplicantData {
  name?: string;
  dateOfBirth?: string;
  address?: Address;
  pan?: string;
  passport?: string;
  voterId?: string;
  drivingLicence?: string;
  ckycNumber?: string;
}

export interface StoredApplicantRecord {
  readonly data: ApplicantData;
  readonly panMasked: string | null;
  readonly aadhaar: { readonly token: string; readonly last4: string; readonly kind: Aadhaar['kind'] } | null;
}

export interface DocumentMeta {
  readonly id: string;
  readonly type: DocumentType;
  readonly contentType: ContentType;
  readonly sizeBytes: number;
  readonly uploadedAt: Date;
}

export interface ConsentRecord {
  readonly id: string;
  readonly purposes: readonly string[];
  readonly noticeVersion: string;
  readonly grantedAt: Date;
  readonly withdrawnAt: Date | null;
}

export interface AuditEntry {
  readonly applicationId: string;
  readonly actorId: string;
  readonly actorRole: string;
  readonly action: string;
  readonly fromState?: ApplicationState | null;
  readonly toState?: ApplicationState | null;
  readonly detail?: Record<string, unknown>;
  readonly requestId?: string | undefined;
}

export interface AuditRecord extends AuditEntry {
  readonly at: Date;
}

export interface DomainEvent {
  readonly type: string;
  readonly subject: string;
  readonly data: Record<string, unknown>;
  readonly actor?: string;
}

export interface KycTransaction {
  /**
   * Serialises draft creation for `ownerId` until the transaction ends (two concurrent requests cannot
   * both see room under the cap) and returns how many drafts the owner holds open.
   */
  lockOwnerDrafts(ownerId: string): Promise<number>;
  insertApplication(app: { id: string; ownerId: string; expiresAt: Date }): Promise<ApplicationRecord>;
  getApplication(id: string): Promise<ApplicationRecord | null>;
  /** Reads and locks the application until the transaction ends. */
  lockApplication(id: string): Promise<ApplicationRecord | null>;
  updateApplication(id: string, changes: ApplicationChanges): Promise<ApplicationRecord>;
  readApplicant(applicationId: string): Promise<StoredApplicantRecord | null>;
  /** Encrypts and stores the applicant data; a new Aadhaar goes to the vault and replaces the old token. */
  writeApplicant(applicationId: string, data: ApplicantData, aadhaar?: Aadhaar): Promise<void>;
  /** The clear Aadhaar number from the vault (for the automatic checks only). */
  revealAadhaar(token: string): Promise<string>;
  insertDocument(doc: {
    id: string;
    applicationId: string;
    type: DocumentType;
    contentType: ContentType;
    content: Buffer;
    aadhaarRedacted: boolean;
  }): Promise<DocumentMeta>;
  listDocuments(applicationId: string): Promise<DocumentMeta[]>;
  readDocumentContent(applicationId: string, documentId: string): Promise<{ meta: DocumentMeta; content: Buffer } | null>;
  insertConsent(consent: { id: string; applicationId: string; ownerId: string; purposes: string[]; noticeVersion: string }): Promise<void>;
  listConsents(applicationId: string): Promise<ConsentRecord[]>;
  /** Marks every active consent of the application withdrawn; returns how many there were. */
  withdrawConsents(applicationId: string): Promise<number>;
  audit(entry: AuditEntry): Promise<void>;
  auditTrail(applicationId: string): Promise<AuditRecord[]>;
  publish(event: DomainEvent): Promise<void>;
  /** Other applications with the same PAN or Aadhaar (by blind index). */
  applicationsWithSameIdentity(applicationId: string): Promise<{ candidate: ExistingApplication | null; others: ExistingApplication[] }>;
  /** The risk category of the owner's latest approved application, if any. */
  previousRiskCategory(ownerId: string, exceptApplicationId: string): Promise<RiskCategory | null>;
  /**
   * The applications in `states`, oldest submission first (then by id); with `after`, only those after that
   * application in this order (keyset paging: stable while the queue changes; an unknown id gives none).
   */
  reviewQueue(states: readonly ApplicationState[], limit: number, after?: string): Promise<ApplicationRecord[]>;
  /** Approved applications whose re-KYC falls due on or before `until` and whose customer was not yet told, locked. */
  lockReKycDue(until: string, limit: number): Promise<ApplicationRecord[]>;
  markReKycNoticeSent(id: string): Promise<void>;
  /** Ids of applications in `processing` since before `before` (their checks were interrupted or keep failing). */
  stuckInProcessing(before: Date, limit: number): Promise<string[]>;
  /** Ids of drafts and resubmission requests whose time ran out, locked for this transaction. */
  lockExpired(now: Date, limit: number): Promise<ApplicationRecord[]>;
  /**
   * Optional: what `KycStore.snapshot` reads, inside this transaction (its own writes included), in one
   * statement instead of one per part. Transactions without it are read part by part.
   */
  snapshot?(id: string, options: { history: boolean }): Promise<ApplicationSnapshot | null>;
}

/** Everything a read of one application shows, as of one instant. */
export interface ApplicationSnapshot {
  application: ApplicationRecord;
  applicant: StoredApplicantRecord | null;
  documents: DocumentMeta[];
  consents: ConsentRecord[];
  /** Present only when asked for (staff views). */
  auditTrail?: AuditRecord[];
}

export interface KycStore {
  transaction<T>(work: (tx: KycTransaction) => Promise<T>): Promise<T>;
  /**
   * Optional fast path for reads: the application with its applicant data, documents, consents and
   * (with `history`) audit trail from one consistent snapshot, without an explicit transaction.
   * Stores without it are read through `transaction`.
   */
  snapshot?(id: string, options: { history: boolean }): Promise<ApplicationSnapshot | null>;
}

/** The feature flags the kyc service acts on (docs/api.md, "Feature flags"). */
export type KycFeature = 'new-applications' | 'document-upload' | 'automatic-checks' | 'sanctions-screening';

/**
 * Is a feature on now? An admin switches them in the KycPlatform while the service runs; main.ts hands
 * the live settings (workloads/shared/live-settings.ts), the tests a fixed set. Asked at each use, never
 * remembered, so a flip applies to the next request or application.
 */
export interface FeatureSwitches {
  isOn(feature: KycFeature): boolean;
}

/**
 * Applications whose PII was sealed while the KMS was away, under a parked data key only the KMS can give
 * back (docs/security.md, "Writes while the KMS is away"): nothing may read that PII or decide on it
 * meanwhile, so their automatic checks are held until the PII is unparked.
 */
export interface ParkedApplications {
  /** Whether some of the application's PII (applicant data, Aadhaar, a document) is still parked. */
  piiParked(applicationId: string): Promise<boolean>;
  /** Holds the application's checks back; false if it was held already. */
  hold(applicationId: string): Promise<boolean>;
  /** Held applications whose PII is no longer parked, held longest first. */
  releasable(limit: number): Promise<string[]>;
  /** Ends the hold; false when it was ended already (another replica). */
  release(applicationId: string): Promise<boolean>;
}
