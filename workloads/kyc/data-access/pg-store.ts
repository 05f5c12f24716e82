// The KYC store on PostgreSQL. PII is sealed here, on the way in, and opened here, on the way out:
// nothing above this layer sees ciphertext and nothing below it sees clear PII.
import { randomBytes } from 'node:crypto';
import { ident, newEvent, outboxValues, withPipelinedTransaction } from '../../shared/index.js';
import type { EventType, PipelinedTransaction, Pool } from '../../shared/index.js';
import type { QueryResult, QueryResultRow } from 'pg';
import type { ApplicationState } from '../domain/application-state.js';
import type { ExistingApplication } from '../domain/duplicates.js';
import type { ContentType, DocumentType } from '../domain/documents.js';
import type { Aadhaar } from '../domain/identity/aadhaar.js';
import { maskPan } from '../domain/identity/pan.js';
import type {
  ApplicantData,
  ApplicationChanges,
  ApplicationRecord,
  ApplicationSnapshot,
  AuditEntry,
  AuditRecord,
  ConsentRecord,
  DocumentMeta,
  DomainEvent,
  KycStore,
  KycTransaction,
  StoredApplicantRecord,
} from '../domain/ports.js';
import type { RiskCategory } from '../domain/risk.js';
import { blindIndex, blindIndexes, keyIdOf, open, openText, seal, sealText } from '../domain/protection/envelope.js';
import type { KeyRing } from '../domain/protection/key-ring.js';
import { applicantContext, documentContext, vaultContext } from './envelope-contexts.js';
import { DeferredWrites, statementName } from './statements.js';

export interface PgKycStoreOptions {
  pool: Pool;
  schema: string;
  keyRing: KeyRing;
  topicPrefix: string;
}

export class PgKycStore implements KycStore {
  constructor(private readonly options: PgKycStoreOptions) {}

  /**
   * A use case's transaction in few round trips (the pool pipelines, main.ts): BEGIN goes out with the
   * first statement, and the writes nobody reads back (audit records, events, consents, applicant data)
   * go out with the next statement or with COMMIT (docs/benchmarks.md, "Where the write path's time goes").
   */
  transaction<T>(work: (tx: KycTransaction) => Promise<T>): Promise<T> {
    return withPipelinedTransaction(this.options.pool, async (client) => {
      const tx = new PgKycTransaction(client, this.options);
      const result = await work(tx);
      // Audit records and events still waiting go out ahead of COMMIT, in the same transaction.
      tx.flush();
      return result;
    });
  }

  /**
   * The read path in one statement (one round trip, no BEGIN/COMMIT): a single statement sees one
   * snapshot, so the application, its applicant data, documents, consents and audit trail agree.
   */
  async snapshot(id: string, options: { history: boolean }): Promise<ApplicationSnapshot | null> {
    if (!UUID.test(id)) return null;
    const text = snapshotStatement(this.options.schema);
    const { rows } = await this.options.pool.query<SnapshotRow>({ name: statementName(text), text, values: [id, options.history] });
    return toSnapshot(this.options.keyRing, id, rows[0]);
  }
}

/**
 * The application, applicant, documents, consents and (when $2) audit trail of application $1. Exported
 * for `make bench-api`, whose floor scenario runs this same statement without the service around it.
 */
export function snapshotStatement(schema: string): string {
  const s = ident(schema);
  return `SELECT ${QUALIFIED_APPLICATION_COLUMNS},
              p.data_enc, p.pan_masked, p.aadhaar_token, p.aadhaar_last4, p.aadhaar_kind,
              (SELECT coalesce(json_agg(json_build_object('id', d.id, 'type', d.type, 'content_type', d.content_type,
                        'size_bytes', d.size_bytes, 'uploaded_at', d.uploaded_at) ORDER BY d.uploaded_at, d.id), '[]'::json)
                 FROM ${s}.documents d WHERE d.application_id = a.id) AS documents_json,
              (SELECT coalesce(json_agg(json_build_object('id', c.id, 'purposes', c.purposes, 'notice_version', c.notice_version,
                        'granted_at', c.granted_at, 'withdrawn_at', c.withdrawn_at) ORDER BY c.granted_at), '[]'::json)
                 FROM ${s}.consents c WHERE c.application_id = a.id) AS consents_json,
              CASE WHEN $2::boolean THEN
                (SELECT coalesce(json_agg(json_build_object('actor_id', t.actor_id, 'actor_role', t.actor_role, 'action', t.action,
                          'from_state', t.from_state, 'to_state', t.to_state, 'detail', t.detail, 'request_id', t.request_id, 'at', t.at) ORDER BY t.id), '[]'::json)
                   FROM ${s}.audit_trail t WHERE t.application_id = a.id)
              END AS audit_json
         FROM ${s}.applications a LEFT JOIN ${s}.applicants p ON p.application_id = a.id
        WHERE a.id = $1`;
}

function toSnapshot(ring: KeyRing, id: string, row: SnapshotRow | undefined): ApplicationSnapshot | null {
  if (!row) return null;
  const snapshot: ApplicationSnapshot = {
    application: toApplication(row),
    applicant: row.data_enc === null ? null : toApplicant(ring, id, row),
    documents: row.documents_json.map((d) => toDocument({ ...d, uploaded_at: new Date(d.uploaded_at) })),
    consents: row.consents_json.map((c) => ({
      id: c.id,
      purposes: c.purposes,
      noticeVersion: c.notice_version,
      grantedAt: new Date(c.granted_at),
      withdrawnAt: c.withdrawn_at === null ? null : new Date(c.withdrawn_at),
    })),
  };
  if (row.audit_json) snapshot.auditTrail = row.audit_json.map((t) => toAudit(id, { ...t, at: new Date(t.at) }));
  return snapshot;
}

interface ApplicantRow {
  data_enc: Buffer;
  pan_masked: string | null;
  aadhaar_token: string | null;
  aadhaar_last4: string | null;
  aadhaar_kind: Aadhaar['kind'] | null;
}

interface AuditRow {
  actor_id: string;
  actor_role: string;
  action: string;
  from_state: ApplicationState | null;
  to_state: ApplicationState | null;
  detail: Record<string, unknown>;
  request_id: string | null;
  at: Date;
}

type Json<T> = { [K in keyof T]: T[K] extends Date ? string : T[K] extends Date | null ? string | null : T[K] };

type SnapshotRow = ApplicationRow &
  ({ data_enc: null } | ApplicantRow) & {
    documents_json: Array<Json<DocumentRow>>;
    consents_json: Array<{ id: string; purposes: string[]; notice_version: string; granted_at: string; withdrawn_at: string | null }>;
    audit_json: Array<Json<AuditRow>> | null;
  };

function toApplicant(ring: KeyRing, applicationId: string, row: ApplicantRow): StoredApplicantRecord {
  const data = JSON.parse(openText(ring, row.data_enc, applicantContext(applicationId))) as ApplicantData;
  return {
    data,
    panMasked: row.pan_masked,
    aadhaar:
      row.aadhaar_token !== null && row.aadhaar_last4 !== null && row.aadhaar_kind !== null
        ? { token: row.aadhaar_token, last4: row.aadhaar_last4, kind: row.aadhaar_kind }
        : null,
  };
}

function toAudit(applicationId: string, r: AuditRow): AuditRecord {
  return {
    applicationId,
    actorId: r.actor_id,
    actorRole: r.actor_role,
    action: r.action,
    fromState: r.from_state,
    toState: r.to_state,
    detail: r.detail,
    requestId: r.request_id ?? undefined,
    at: r.at,
  };
}

interface ApplicationRow {
  id: string;
  owner_id: string;
  state: ApplicationState;
  created_at: Date;
  updated_at: Date;
  submitted_at: Date | null;
  decided_at: Date | null;
  expires_at: Date | null;
  maker_id: string | null;
  recommendation: 'approve' | 'reject' | null;
  checker_id: string | null;
  screening_band: ApplicationRecord['screeningBand'];
  risk_score: number | null;
  risk_category: RiskCategory | null;
  rekyc_due_on: string | null;
  findings: unknown;
}

const APPLICATION_COLUMNS = `id, owner_id, state, created_at, updated_at, submitted_at, decided_at, expires_at, maker_id,
  recommendation, checker_id, screening_band, risk_score, risk_category, to_char(rekyc_due_on, 'YYYY-MM-DD') AS rekyc_due_on, findings`;

/** The same columns from `applications a`, for joins. */
const QUALIFIED_APPLICATION_COLUMNS = `a.id, a.owner_id, a.state, a.created_at, a.updated_at, a.submitted_at, a.decided_at, a.expires_at, a.maker_id,
  a.recommendation, a.checker_id, a.screening_band, a.risk_score, a.risk_category, to_char(a.rekyc_due_on, 'YYYY-MM-DD') AS rekyc_due_on, a.findings`;

const CHANGE_COLUMNS: Record<keyof ApplicationChanges, string> = {
  state: 'state',
  submittedAt: 'submitted_at',
  decidedAt: 'decided_at',
  expiresAt: 'expires_at',
  makerId: 'maker_id',
  recommendation: 'recommendation',
  checkerId: 'checker_id',
  screeningBand: 'screening_band',
  riskScore: 'risk_score',
  riskCategory: 'risk_category',
  rekycDueOn: 'rekyc_due_on',
  findings: 'findings',
};

const toApplication = (r: ApplicationRow): ApplicationRecord => ({
  id: r.id,
  ownerId: r.owner_id,
  state: r.state,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
  submittedAt: r.submitted_at,
  decidedAt: r.decided_at,
  expiresAt: r.expires_at,
  makerId: r.maker_id,
  recommendation: r.recommendation,
  checkerId: r.checker_id,
  screeningBand: r.screening_band,
  riskScore: r.risk_score,
  riskCategory: r.risk_category,
  rekycDueOn: r.rekyc_due_on,
  findings: r.findings,
});

interface DocumentRow {
  id: string;
  type: DocumentType;
  content_type: ContentType;
  size_bytes: number;
  uploaded_at: Date;
}
const toDocument = (r: DocumentRow): DocumentMeta => ({
  id: r.id,
  type: r.type,
  contentType: r.content_type,
  sizeBytes: r.size_bytes,
  uploadedAt: r.uploaded_at,
});

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

class PgKycTransaction implements KycTransaction {
  private readonly s: string;
  private readonly ring: KeyRing;
  private readonly deferred = new DeferredWrites();

  constructor(
    private readonly client: PipelinedTransaction,
    private readonly options: PgKycStoreOptions,
  ) {
    this.s = ident(options.schema);
    this.ring = options.keyRing;
  }

  /**
   * Runs one statement as a named (prepared) statement, right behind any deferred writes. Statements a
   * use case starts together (Promise.all) go out together and run in the order they were started.
   */
  private q<R extends QueryResultRow = QueryResultRow>(text: string, values: unknown[]): Promise<QueryResult<R>> {
    this.flush();
    return this.client.query<R>({ name: statementName(text), text, values });
  }

  /** Sends a write whose result nobody reads, after any deferred writes (order kept); it commits with the rest. */
  private later(text: string, values: unknown[]): void {
    this.flush();
    this.client.send({ name: statementName(text), text, values });
  }

  async snapshot(id: string, options: { history: boolean }): Promise<ApplicationSnapshot | null> {
    if (!UUID.test(id)) return null;
    const { rows } = await this.q<SnapshotRow>(snapshotStatement(this.options.schema), [id, options.history]);
    return toSnapshot(this.ring, id, rows[0]);
  }

  /** Sends the deferred audit records, events and consents (one statement), if any wait. */
  flush(): void {
    const small = this.deferred.size <= 8;
    const statement = this.deferred.take(this.s);
    if (!statement) return;
    // Only small batches get a prepared statement: their shapes are few; a large batch is rare.
    this.client.send(small ? { name: statementName(statement.text), ...statement } : statement);
  }

  async lockOwnerDrafts(ownerId: string): Promise<number> {
    // A transaction-scoped advisory lock per owner (released at COMMIT/ROLLBACK), then the count in a
    // statement of its own, so the count sees every draft committed by whoever held the lock before. Both
    // go out at once: PostgreSQL starts the count (and takes its snapshot) only once the lock is held.
    const [, { rows }] = await Promise.all([
      this.q(`SELECT pg_advisory_xact_lock(hashtext('kyc.open_drafts'), hashtext($1))`, [ownerId]),
      this.q<{ n: number }>(`SELECT count(*)::int AS n FROM ${this.s}.applications WHERE owner_id = $1 AND state = 'draft'`, [ownerId]),
    ]);
    return rows[0]?.n ?? 0;
  }

  async insertApplication(app: { id: string; ownerId: string; expiresAt: Date }): Promise<ApplicationRecord> {
    const { rows } = await this.q<ApplicationRow>(
      `INSERT INTO ${this.s}.applications (id, owner_id, expires_at) VALUES ($1, $2, $3) RETURNING ${APPLICATION_COLUMNS}`,
      [app.id, app.ownerId, app.expiresAt],
    );
    return toApplication(rows[0] as ApplicationRow);
  }

  async getApplication(id: string): Promise<ApplicationRecord | null> {
    if (!UUID.test(id)) return null;
    const { rows } = await this.q<ApplicationRow>(`SELECT ${APPLICATION_COLUMNS} FROM ${this.s}.applications WHERE id = $1`, [id]);
    return rows[0] ? toApplication(rows[0]) : null;
  }

  async lockApplication(id: string): Promise<ApplicationRecord | null> {
    if (!UUID.test(id)) return null;
    const { rows } = await this.q<ApplicationRow>(`SELECT ${APPLICATION_COLUMNS} FROM ${this.s}.applications WHERE id = $1 FOR UPDATE`, [
      id,
    ]);
    return rows[0] ? toApplication(rows[0]) : null;
  }

  async updateApplication(id: string, changes: ApplicationChanges): Promise<ApplicationRecord> {
    const sets: string[] = [];
    const values: unknown[] = [id];
    for (const [key, value] of Object.entries(changes) as Array<[keyof ApplicationChanges, unknown]>) {
      if (value === undefined) continue;
      values.push(key === 'findings' ? JSON.stringify(value) : value);
      sets.push(`${CHANGE_COLUMNS[key]} = $${values.length}`);
    }
    const { rows } = await this.q<ApplicationRow>(
      `UPDATE ${this.s}.applications SET ${sets.length > 0 ? sets.join(', ') : 'id = id'} WHERE id = $1 RETURNING ${APPLICATION_COLUMNS}`,
      values,
    );
    const row = rows[0];
    if (!row) throw new Error(`update of application ${id}: no such application`);
    return toApplication(row);
  }

  async readApplicant(applicationId: string): Promise<StoredApplicantRecord | null> {
    const { rows } = await this.q<ApplicantRow>(
      `SELECT data_enc, pan_masked, aadhaar_token, aadhaar_last4, aadhaar_kind FROM ${this.s}.applicants WHERE application_id = $1`,
      [applicationId],
    );
    const row = rows[0];
    return row ? toApplicant(this.ring, applicationId, row) : null;
  }

  /** Sent, not awaited: nothing reads its result, and a refusal fails the transaction at its next statement or COMMIT. */
  writeApplicant(applicationId: string, data: ApplicantData, aadhaar?: Aadhaar): Promise<void> {
    let token: string | null = null;
    if (aadhaar) {
      token = `avt_${randomBytes(24).toString('base64url')}`;
      const sealed = sealText(this.ring, aadhaar.number, vaultContext(token));
      this.later(`INSERT INTO ${this.s}.aadhaar_vault (token, number_enc, key_id, blind_index) VALUES ($1, $2, $3, $4)`, [
        token,
        sealed,
        keyIdOf(sealed),
        blindIndex(this.ring, 'aadhaar', aadhaar.number),
      ]);
    }
    const sealed = sealText(this.ring, JSON.stringify(data), applicantContext(applicationId));
    const panMasked = data.pan !== undefined ? maskPan(data.pan) : null;
    const panIndex = data.pan !== undefined ? blindIndex(this.ring, 'pan', data.pan) : null;
    this.later(
      `INSERT INTO ${this.s}.applicants (application_id, data_enc, key_id, pan_masked, pan_index, aadhaar_token, aadhaar_last4, aadhaar_kind)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (application_id) DO UPDATE SET
         data_enc = EXCLUDED.data_enc, key_id = EXCLUDED.key_id, pan_masked = EXCLUDED.pan_masked, pan_index = EXCLUDED.pan_index,
         aadhaar_token = COALESCE(EXCLUDED.aadhaar_token, applicants.aadhaar_token),
         aadhaar_last4 = COALESCE(EXCLUDED.aadhaar_last4, applicants.aadhaar_last4),
         aadhaar_kind = COALESCE(EXCLUDED.aadhaar_kind, applicants.aadhaar_kind),
         updated_at = now()`,
      [applicationId, sealed, keyIdOf(sealed), panMasked, panIndex, token, aadhaar?.last4 ?? null, aadhaar?.kind ?? null],
    );
    return Promise.resolve();
  }

  async revealAadhaar(token: string): Promise<string> {
    const { rows } = await this.q<{ number_enc: Buffer }>(`SELECT number_enc FROM ${this.s}.aadhaar_vault WHERE token = $1`, [token]);
    const row = rows[0];
    if (!row) throw new Error('Aadhaar vault token not found');
    return openText(this.ring, row.number_enc, vaultContext(token));
  }

  async insertDocument(doc: {
    id: string;
    applicationId: string;
    type: DocumentType;
    contentType: ContentType;
    content: Buffer;
    aadhaarRedacted: boolean;
  }): Promise<DocumentMeta> {
    const sealed = seal(this.ring, doc.content, documentContext(doc.applicationId, doc.id));
    const { rows } = await this.q<DocumentRow>(
      `INSERT INTO ${this.s}.documents (id, application_id, type, content_type, size_bytes, aadhaar_redacted, content_enc, key_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id, type, content_type, size_bytes, uploaded_at`,
      [doc.id, doc.applicationId, doc.type, doc.contentType, doc.content.length, doc.aadhaarRedacted, sealed, keyIdOf(sealed)],
    );
    return toDocument(rows[0] as DocumentRow);
  }

  async listDocuments(applicationId: string): Promise<DocumentMeta[]> {
    const { rows } = await this.q<DocumentRow>(
      `SELECT id, type, content_type, size_bytes, uploaded_at FROM ${this.s}.documents WHERE application_id = $1 ORDER BY uploaded_at, id`,
      [applicationId],
    );
    return rows.map(toDocument);
  }

  async readDocumentContent(applicationId: string, documentId: string): Promise<{ meta: DocumentMeta; content: Buffer } | null> {
    if (!UUID.test(documentId)) return null;
    const { rows } = await this.q<DocumentRow & { content_enc: Buffer }>(
      `SELECT id, type, content_type, size_bytes, uploaded_at, content_enc FROM ${this.s}.documents WHERE application_id = $1 AND id = $2`,
      [applicationId, documentId],
    );
    const row = rows[0];
    if (!row) return null;
    return { meta: toDocument(row), content: open(this.ring, row.content_enc, documentContext(applicationId, documentId)) };
  }

  async insertConsent(consent: {
    id: string;
    applicationId: string;
    ownerId: string;
    purposes: string[];
    noticeVersion: string;
  }): Promise<void> {
    this.deferred.add('consents', [consent.id, consent.applicationId, consent.ownerId, consent.purposes, consent.noticeVersion]);
    return Promise.resolve();
  }

  async listConsents(applicationId: string): Promise<ConsentRecord[]> {
    const { rows } = await this.q<{ id: string; purposes: string[]; notice_version: string; granted_at: Date; withdrawn_at: Date | null }>(
      `SELECT id, purposes, notice_version, granted_at, withdrawn_at FROM ${this.s}.consents WHERE application_id = $1 ORDER BY granted_at`,
      [applicationId],
    );
    return rows.map((r) => ({
      id: r.id,
      purposes: r.purposes,
      noticeVersion: r.notice_version,
      grantedAt: r.granted_at,
      withdrawnAt: r.withdrawn_at,
    }));
  }

  async withdrawConsents(applicationId: string): Promise<number> {
    const { rowCount } = await this.q(
      `UPDATE ${this.s}.consents SET withdrawn_at = now() WHERE application_id = $1 AND withdrawn_at IS NULL`,
      [applicationId],
    );
    return rowCount ?? 0;
  }

  async audit(entry: AuditEntry): Promise<void> {
    this.deferred.add('audit_trail', [
      entry.applicationId,
      entry.actorId,
      entry.actorRole,
      entry.action,
      entry.fromState ?? null,
      entry.toState ?? null,
      JSON.stringify(entry.detail ?? {}),
      entry.requestId ?? null,
    ]);
    return Promise.resolve();
  }

  async auditTrail(applicationId: string): Promise<AuditRecord[]> {
    const { rows } = await this.q<AuditRow>(
      `SELECT actor_id, actor_role, action, from_state, to_state, detail, request_id, at FROM ${this.s}.audit_trail WHERE application_id = $1 ORDER BY id`,
      [applicationId],
    );
    return rows.map((r) => toAudit(applicationId, r));
  }

  async publish(event: DomainEvent): Promise<void> {
    const envelope = newEvent(event.type as EventType, event.subject, event.data, event.actor);
    this.deferred.add('outbox', outboxValues(envelope, this.options.topicPrefix));
    return Promise.resolve();
  }

  async applicationsWithSameIdentity(
    applicationId: string,
  ): Promise<{ candidate: ExistingApplication | null; others: ExistingApplication[] }> {
    const identityRow = (r: IdentityRow): ExistingApplication => ({
      applicationId: r.id,
      ownerId: r.owner_id,
      state: r.state,
      panIndex: r.pan_index,
      aadhaarIndex: r.aadhaar_index,
    });
    // The application's own digests and its applicant data, asked together (one round trip).
    const [{ rows: own }, applicant] = await Promise.all([
      this.q<IdentityRow>(
        `SELECT a.id, a.owner_id, a.state, p.pan_index, v.blind_index AS aadhaar_index
           FROM ${this.s}.applications a JOIN ${this.s}.applicants p ON p.application_id = a.id
           LEFT JOIN ${this.s}.aadhaar_vault v ON v.token = p.aadhaar_token
          WHERE a.id = $1`,
        [applicationId],
      ),
      this.readApplicant(applicationId),
    ]);
    const candidateRow = own[0];
    if (!candidateRow) return { candidate: null, others: [] };
    const candidate = identityRow(candidateRow);
    // Stored digests were made with whichever key was current when they were written, so look up
    // every digest the ring can make for this application's numbers.
    const panIndexes = applicant?.data.pan !== undefined ? blindIndexes(this.ring, 'pan', applicant.data.pan) : [];
    const aadhaarNumber = applicant?.aadhaar ? await this.revealAadhaar(applicant.aadhaar.token) : undefined;
    const aadhaarIndexes = aadhaarNumber !== undefined ? blindIndexes(this.ring, 'aadhaar', aadhaarNumber) : [];
    const { rows } = await this.q<IdentityRow>(
      `SELECT a.id, a.owner_id, a.state, p.pan_index, v.blind_index AS aadhaar_index
         FROM ${this.s}.applicants p JOIN ${this.s}.applications a ON a.id = p.application_id
         LEFT JOIN ${this.s}.aadhaar_vault v ON v.token = p.aadhaar_token
        WHERE a.id <> $1 AND (p.pan_index = ANY($2::text[]) OR v.blind_index = ANY($3::text[]))
        LIMIT 100`,
      [applicationId, panIndexes, aadhaarIndexes],
    );
    // Normalise every match to the candidate's own digests so the pure rule can compare by equality.
    const others = rows.map((r) => {
      const other = identityRow(r);
      return {
        ...other,
        panIndex: other.panIndex !== null && panIndexes.includes(other.panIndex) ? candidate.panIndex : other.panIndex,
        aadhaarIndex:
          other.aadhaarIndex !== null && aadhaarIndexes.includes(other.aadhaarIndex) ? candidate.aadhaarIndex : other.aadhaarIndex,
      };
    });
    return { candidate, others };
  }

  async previousRiskCategory(ownerId: string, exceptApplicationId: string): Promise<RiskCategory | null> {
    const { rows } = await this.q<{ risk_category: RiskCategory | null }>(
      `SELECT risk_category FROM ${this.s}.applications
        WHERE owner_id = $1 AND id <> $2 AND state = 'approved' ORDER BY decided_at DESC LIMIT 1`,
      [ownerId, exceptApplicationId],
    );
    return rows[0]?.risk_category ?? null;
  }

  async reviewQueue(states: readonly ApplicationState[], limit: number, after?: string): Promise<ApplicationRecord[]> {
    // The cursor's own row gives the position (not a timestamp sent by the client: JavaScript dates lose
    // PostgreSQL's microseconds, and the same row would come again).
    const { rows } = await this.q<ApplicationRow>(
      `SELECT ${APPLICATION_COLUMNS} FROM ${this.s}.applications
        WHERE state = ANY($1::text[])
          AND ($3::uuid IS NULL OR (submitted_at, id) > (SELECT submitted_at, id FROM ${this.s}.applications WHERE id = $3::uuid))
        ORDER BY submitted_at NULLS LAST, id LIMIT $2`,
      [states, limit, after ?? null],
    );
    return rows.map(toApplication);
  }

  async lockReKycDue(until: string, limit: number): Promise<ApplicationRecord[]> {
    const { rows } = await this.q<ApplicationRow>(
      `SELECT ${APPLICATION_COLUMNS} FROM ${this.s}.applications
        WHERE state = 'approved' AND rekyc_notice_sent_at IS NULL AND rekyc_due_on <= $1::date
        ORDER BY rekyc_due_on LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [until, limit],
    );
    return rows.map(toApplication);
  }

  async markReKycNoticeSent(id: string): Promise<void> {
    await this.q(`UPDATE ${this.s}.applications SET rekyc_notice_sent_at = now() WHERE id = $1`, [id]);
  }

  async stuckInProcessing(before: Date, limit: number): Promise<string[]> {
    const { rows } = await this.q<{ id: string }>(
      `SELECT id FROM ${this.s}.applications WHERE state = 'processing' AND updated_at < $1 ORDER BY updated_at LIMIT $2`,
      [before, limit],
    );
    return rows.map((r) => r.id);
  }

  async lockExpired(now: Date, limit: number): Promise<ApplicationRecord[]> {
    const { rows } = await this.q<ApplicationRow>(
      `SELECT ${APPLICATION_COLUMNS} FROM ${this.s}.applications
        WHERE state IN ('draft', 'resubmission_required') AND expires_at < $1
        ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [now, limit],
    );
    return rows.map(toApplication);
  }
}

interface IdentityRow {
  id: string;
  owner_id: string;
  state: ApplicationState;
  pan_index: string | null;
  aadhaar_index: string | null;
}
