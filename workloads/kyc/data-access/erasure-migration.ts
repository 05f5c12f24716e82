// Migration 6 of the kyc schema (docs/retention.md): what erasure needs, expand only — two nullable columns
// on applications and a table of requests whose state machine is domain/erasure.ts's, installed as a trigger.
import { ERASURE_STATES, ERASURE_TRANSITIONS } from '../domain/erasure.js';

const states = ERASURE_STATES.map((s) => `'${s}'`).join(', ');
const pairs = ERASURE_TRANSITIONS.map(([from, to]) => `('${from}', '${to}')`).join(', ');

export const ERASURE_SQL = `
  -- retain_until: a KYC record kept after its customer asked for erasure, until this time; erased_at: its
  -- personal data (applicant, documents, Aadhaar vault entry, findings) is gone, the skeleton stays.
  ALTER TABLE applications ADD COLUMN retain_until timestamptz, ADD COLUMN erased_at timestamptz;
  CREATE INDEX applications_retention ON applications (retain_until) WHERE retain_until IS NOT NULL AND erased_at IS NULL;

  CREATE TABLE erasure_requests (
    id uuid PRIMARY KEY,
    customer_id text NOT NULL,
    requested_by text NOT NULL,
    state text NOT NULL CHECK (state IN (${states})),
    requested_at timestamptz NOT NULL,
    completed_at timestamptz,
    erased uuid[] NOT NULL DEFAULT '{}',
    retained jsonb NOT NULL DEFAULT '[]'
  );
  CREATE INDEX erasure_requests_customer ON erasure_requests (customer_id, requested_at);

  CREATE FUNCTION guard_erasure_state() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF TG_OP = 'INSERT' THEN
      IF NEW.state <> 'received' THEN
        RAISE EXCEPTION 'a new erasure request must be received, not %', NEW.state USING ERRCODE = 'check_violation';
      END IF;
    ELSIF NEW.state IS DISTINCT FROM OLD.state AND NOT EXISTS (
      SELECT 1 FROM (VALUES ${pairs}) AS allowed (from_state, to_state)
       WHERE allowed.from_state = OLD.state AND allowed.to_state = NEW.state
    ) THEN
      RAISE EXCEPTION 'illegal erasure request transition % -> %', OLD.state, NEW.state USING ERRCODE = 'check_violation';
    END IF;
    RETURN NEW;
  END $$;
  CREATE TRIGGER erasure_requests_state_guard BEFORE INSERT OR UPDATE ON erasure_requests
    FOR EACH ROW EXECUTE FUNCTION guard_erasure_state();
`;

/** Migration 7: a legal hold stops erasure for a customer (docs/retention.md); a new table: expand only. */
export const LEGAL_HOLDS_SQL = `
  CREATE TABLE legal_holds (
    customer_id text PRIMARY KEY,
    placed_by text NOT NULL,
    reason text NOT NULL CHECK (length(reason) BETWEEN 1 AND 500),
    placed_at timestamptz NOT NULL DEFAULT now()
  );
`;

/**
 * Migration 8: the other services' parts of a request (domain/erasure.ts, ERASURE_SERVICES), as their outcome
 * events arrive; a column with a default: expand only. Requests made before it name no service.
 */
export const ERASURE_SERVICES_SQL = `
  ALTER TABLE erasure_requests ADD COLUMN services jsonb NOT NULL DEFAULT '{}';
`;
