// The kyc schema. The database enforces what must never be wrong even if application code is: the
// state machine (a trigger allowing only the transitions of domain/application-state.ts), maker ≠
// checker, document types and sizes, an append-only audit trail, and no clear Aadhaar anywhere but
// inside an encrypted vault envelope.
import { idempotencyMigration, outboxMigration } from '../../shared/index.js';
import type { Migration } from '../../shared/index.js';
import { APPLICATION_STATES, allowedStatePairs } from '../domain/application-state.js';
import { CONTENT_TYPES, DOCUMENT_TYPES, MAX_DOCUMENT_BYTES } from '../domain/documents.js';
import { ERASURE_SERVICES_SQL, ERASURE_SQL, LEGAL_HOLDS_SQL } from './erasure-migration.js';
import { PII_DATA_KEYS_SQL, PII_PARKING_SQL } from './pg-data-keys.js';

export const KYC_SCHEMA = 'kyc';
/** Tables the service only appends to: its own role may not UPDATE or DELETE them (docs/security.md). */
export const APPEND_ONLY_TABLES = ['audit_trail'] as const;

const list = (values: readonly string[]): string => values.map((v) => `'${v}'`).join(', ');
const pairs = allowedStatePairs()
  .map(([from, to]) => `('${from}', '${to}')`)
  .join(', ');

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'applications',
    up: `
      CREATE TABLE applications (
        id uuid PRIMARY KEY,
        owner_id text NOT NULL,
        state text NOT NULL DEFAULT 'draft' CHECK (state IN (${list(APPLICATION_STATES)})),
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        submitted_at timestamptz,
        decided_at timestamptz,
        expires_at timestamptz,
        maker_id text,
        recommendation text CHECK (recommendation IN ('approve', 'reject')),
        checker_id text,
        screening_band text CHECK (screening_band IN ('clear', 'enhanced_due_diligence', 'manual_review', 'block')),
        risk_score integer,
        risk_category text CHECK (risk_category IN ('low', 'medium', 'high')),
        rekyc_due_on date,
        findings jsonb,
        CONSTRAINT checker_is_not_maker CHECK (checker_id IS NULL OR maker_id IS NULL OR checker_id <> maker_id)
      );
      CREATE INDEX applications_owner ON applications (owner_id, created_at DESC);
      CREATE INDEX applications_queue ON applications (state, submitted_at) WHERE state IN ('pending_review', 'pending_approval');
      CREATE INDEX applications_expiry ON applications (expires_at) WHERE state IN ('draft', 'resubmission_required');

      -- The state machine, generated from the domain's transition table.
      CREATE FUNCTION guard_application_state() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          IF NEW.state <> 'draft' THEN
            RAISE EXCEPTION 'a new application must be a draft, not %', NEW.state USING ERRCODE = 'check_violation';
          END IF;
        ELSIF NEW.state IS DISTINCT FROM OLD.state AND NOT EXISTS (
          SELECT 1 FROM (VALUES ${pairs}) AS allowed (from_state, to_state)
           WHERE allowed.from_state = OLD.state AND allowed.to_state = NEW.state
        ) THEN
          RAISE EXCEPTION 'illegal application transition % -> %', OLD.state, NEW.state USING ERRCODE = 'check_violation';
        END IF;
        NEW.updated_at := now();
        RETURN NEW;
      END $$;
      CREATE TRIGGER applications_state_guard BEFORE INSERT OR UPDATE ON applications
        FOR EACH ROW EXECUTE FUNCTION guard_application_state();

      -- The clear Aadhaar number exists only inside number_enc (an AES-256-GCM envelope).
      CREATE TABLE aadhaar_vault (
        token text PRIMARY KEY CHECK (token ~ '^avt_[A-Za-z0-9_-]{32}$'),
        number_enc bytea NOT NULL,
        key_id text NOT NULL,
        blind_index text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX aadhaar_vault_blind_index ON aadhaar_vault (blind_index);
      REVOKE ALL ON aadhaar_vault FROM PUBLIC;

      -- Applicant PII: one envelope (name, date of birth, address, PAN, other ids) per application,
      -- plus what may be shown or searched without decrypting: masks, last 4, blind indexes.
      CREATE TABLE applicants (
        application_id uuid PRIMARY KEY REFERENCES applications (id),
        data_enc bytea NOT NULL,
        key_id text NOT NULL,
        pan_masked text CHECK (pan_masked ~ '^[A-Z]{5}XXXX[A-Z]$'),
        pan_index text,
        aadhaar_token text REFERENCES aadhaar_vault (token),
        aadhaar_last4 text CHECK (aadhaar_last4 ~ '^[0-9]{4}$'),
        aadhaar_kind text CHECK (aadhaar_kind IN ('aadhaar', 'vid')),
        updated_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX applicants_pan_index ON applicants (pan_index);

      CREATE TABLE documents (
        id uuid PRIMARY KEY,
        application_id uuid NOT NULL REFERENCES applications (id),
        type text NOT NULL CHECK (type IN (${list(DOCUMENT_TYPES)})),
        content_type text NOT NULL CHECK (content_type IN (${list(CONTENT_TYPES)})),
        size_bytes integer NOT NULL CHECK (size_bytes > 0 AND size_bytes <= ${MAX_DOCUMENT_BYTES}),
        aadhaar_redacted boolean NOT NULL DEFAULT false,
        content_enc bytea NOT NULL,
        key_id text NOT NULL,
        uploaded_at timestamptz NOT NULL DEFAULT now(),
        CONSTRAINT aadhaar_images_redacted CHECK (type <> 'aadhaar_possession_proof' OR aadhaar_redacted)
      );
      CREATE INDEX documents_application ON documents (application_id, uploaded_at);

      CREATE TABLE consents (
        id uuid PRIMARY KEY,
        application_id uuid NOT NULL REFERENCES applications (id),
        owner_id text NOT NULL,
        purposes text[] NOT NULL CHECK (cardinality(purposes) > 0),
        notice_version text NOT NULL,
        granted_at timestamptz NOT NULL DEFAULT now(),
        withdrawn_at timestamptz
      );
      CREATE INDEX consents_application ON consents (application_id);

      -- Append-only: every transition and every change, by whom, from which request.
      CREATE TABLE audit_trail (
        id bigserial PRIMARY KEY,
        application_id uuid NOT NULL,
        actor_id text NOT NULL,
        actor_role text NOT NULL,
        action text NOT NULL,
        from_state text,
        to_state text,
        detail jsonb NOT NULL DEFAULT '{}',
        request_id text,
        at timestamptz NOT NULL DEFAULT now()
      );
      CREATE INDEX audit_trail_application ON audit_trail (application_id, id);
      CREATE FUNCTION audit_trail_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN
        RAISE EXCEPTION 'the audit trail is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
      END $$;
      CREATE TRIGGER audit_trail_no_update_or_delete BEFORE UPDATE OR DELETE ON audit_trail
        FOR EACH ROW EXECUTE FUNCTION audit_trail_is_append_only();
      CREATE TRIGGER audit_trail_no_truncate BEFORE TRUNCATE ON audit_trail
        FOR EACH STATEMENT EXECUTE FUNCTION audit_trail_is_append_only();
      REVOKE UPDATE, DELETE, TRUNCATE ON audit_trail FROM PUBLIC;
    `,
  },
  outboxMigration(2),
  idempotencyMigration(3),
  {
    version: 4,
    name: 'rekyc_notice',
    up: `ALTER TABLE applications ADD COLUMN rekyc_notice_sent_at timestamptz;
         CREATE INDEX applications_rekyc_due ON applications (rekyc_due_on) WHERE state = 'approved' AND rekyc_notice_sent_at IS NULL;`,
  },
  // The PII data keys wrapped by a KMS (docs/security.md, "Keys held by a KMS"); a new table: expand only.
  { version: 5, name: 'pii_data_keys', up: PII_DATA_KEYS_SQL },
  // Erasure and retention (docs/retention.md): two nullable columns and a new table: expand only.
  { version: 6, name: 'erasure', up: ERASURE_SQL },
  { version: 7, name: 'legal_holds', up: LEGAL_HOLDS_SQL },
  { version: 8, name: 'erasure_services', up: ERASURE_SERVICES_SQL },
  // Writes parked while the KMS is away (docs/security.md, "Writes while the KMS is away"); new tables: expand only.
  { version: 9, name: 'pii_parking', up: PII_PARKING_SQL },
];
