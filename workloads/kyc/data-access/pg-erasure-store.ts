// Erasure on PostgreSQL (domain/erasure.ts, docs/retention.md). Erasing an application deletes its
// personal data — the sealed applicant envelope with its blind indexes, the documents, the Aadhaar vault
// entry no other application uses, the check findings — and keeps its skeleton (state, dates, risk
// category) and its audit trail, which never held the data.
import { enqueueEvent, ident, newEvent, withTransaction } from '../../shared/index.js';
import type { Pool, PoolClient } from '../../shared/index.js';
import type { ApplicationState } from '../domain/application-state.js';
import type {
  ErasableApplication,
  ErasureRequestRecord,
  ErasureService,
  ErasureState,
  ErasureStore,
  ErasureTransaction,
  LegalHold,
  ServiceErasure,
} from '../domain/erasure.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class PgErasureStore implements ErasureStore {
  /** `topicPrefix`: KAFKA_TOPIC_PREFIX, for the events the requests queue in the outbox. */
  constructor(private readonly options: { pool: Pool; schema: string; topicPrefix?: string }) {}

  transaction<T>(work: (tx: ErasureTransaction) => Promise<T>): Promise<T> {
    const { pool, schema, topicPrefix = '' } = this.options;
    return withTransaction(pool, (client) => work(new PgErasureTransaction(client, schema, topicPrefix)));
  }
}

interface RequestRow {
  id: string;
  customer_id: string;
  requested_by: string;
  state: ErasureState;
  requested_at: Date;
  completed_at: Date | null;
  erased: string[];
  retained: ErasureRequestRecord['retained'];
  services: ErasureRequestRecord['services'];
}

class PgErasureTransaction implements ErasureTransaction {
  private readonly s: string;

  constructor(
    private readonly client: PoolClient,
    private readonly schema: string,
    private readonly topicPrefix: string,
  ) {
    this.s = ident(schema);
  }

  async lockCustomerApplications(customerId: string): Promise<ErasableApplication[]> {
    const { rows } = await this.client.query<{
      id: string;
      state: ApplicationState;
      erased_at: Date | null;
      retain_until: Date | null;
      decided_at: Date | null;
    }>(
      `SELECT id, state, erased_at, retain_until, decided_at FROM ${this.s}.applications WHERE owner_id = $1 ORDER BY created_at, id FOR UPDATE`,
      [customerId],
    );
    return rows.map((r) => ({ id: r.id, state: r.state, erasedAt: r.erased_at, retainUntil: r.retain_until, decidedAt: r.decided_at }));
  }

  async eraseApplication(applicationId: string, erasedAt: Date): Promise<void> {
    await this.client.query(`DELETE FROM ${this.s}.documents WHERE application_id = $1`, [applicationId]);
    // The vault entry goes with the applicant row that pointed at it, unless another application uses it.
    await this.client.query(
      `WITH gone AS (DELETE FROM ${this.s}.applicants WHERE application_id = $1 RETURNING aadhaar_token)
       DELETE FROM ${this.s}.aadhaar_vault v
        WHERE v.token IN (SELECT aadhaar_token FROM gone)
          AND NOT EXISTS (SELECT 1 FROM ${this.s}.applicants o WHERE o.aadhaar_token = v.token AND o.application_id <> $1)`,
      [applicationId],
    );
    await this.client.query(`UPDATE ${this.s}.applications SET erased_at = $2, retain_until = NULL, findings = NULL WHERE id = $1`, [
      applicationId,
      erasedAt,
    ]);
  }

  async retainApplication(applicationId: string, until: Date): Promise<void> {
    await this.client.query(`UPDATE ${this.s}.applications SET retain_until = $2 WHERE id = $1`, [applicationId, until]);
  }

  async insertRequest(request: ErasureRequestRecord): Promise<void> {
    // Inserted as received, then moved: the database's state machine sees every step.
    await this.client.query(
      `INSERT INTO ${this.s}.erasure_requests (id, customer_id, requested_by, state, requested_at, erased, retained, services)
       VALUES ($1, $2, $3, 'received', $4, $5, $6, $7)`,
      [
        request.id,
        request.customerId,
        request.requestedBy,
        request.requestedAt,
        request.erased,
        JSON.stringify(request.retained),
        JSON.stringify(request.services),
      ],
    );
    if (request.state !== 'received')
      await this.client.query(`UPDATE ${this.s}.erasure_requests SET state = $2, completed_at = $3 WHERE id = $1`, [
        request.id,
        request.state,
        request.completedAt,
      ]);
  }

  async getRequest(id: string): Promise<ErasureRequestRecord | null> {
    if (!UUID.test(id)) return null;
    const { rows } = await this.client.query<RequestRow>(
      `SELECT id, customer_id, requested_by, state, requested_at, completed_at, erased, retained, services FROM ${this.s}.erasure_requests WHERE id = $1`,
      [id],
    );
    const r = rows[0];
    return r
      ? {
          id: r.id,
          customerId: r.customer_id,
          requestedBy: r.requested_by,
          state: r.state,
          requestedAt: r.requested_at,
          completedAt: r.completed_at,
          erased: r.erased,
          retained: r.retained,
          services: r.services,
        }
      : null;
  }

  async recordServiceOutcome(requestId: string, service: ErasureService, outcome: ServiceErasure): Promise<string | undefined> {
    if (!UUID.test(requestId)) return undefined;
    const { rows } = await this.client.query<{ customer_id: string }>(
      `UPDATE ${this.s}.erasure_requests SET services = jsonb_set(services, ARRAY[$2::text], $3::jsonb)
        WHERE id = $1 AND services -> $2 ->> 'state' IS DISTINCT FROM 'completed' RETURNING customer_id`,
      [requestId, service, JSON.stringify(outcome)],
    );
    return rows[0]?.customer_id;
  }

  async publish(event: Parameters<ErasureTransaction['publish']>[0]): Promise<void> {
    await enqueueEvent(this.client, this.schema, newEvent(event.type, event.subject, event.data, event.actor), this.topicPrefix);
  }

  async completeRetainedRequests(customerId: string, at: Date): Promise<string[]> {
    const { rows } = await this.client.query<{ id: string }>(
      `UPDATE ${this.s}.erasure_requests SET state = 'completed', completed_at = $2
        WHERE customer_id = $1 AND state = 'retained'
          AND NOT EXISTS (SELECT 1 FROM ${this.s}.applications a WHERE a.owner_id = $1 AND a.retain_until IS NOT NULL AND a.erased_at IS NULL)
        RETURNING id`,
      [customerId, at],
    );
    return rows.map((r) => r.id);
  }

  async lockClosedBefore(before: Date, limit: number): Promise<{ id: string; customerId: string }[]> {
    const { rows } = await this.client.query<{ id: string; owner_id: string }>(
      `SELECT id, owner_id FROM ${this.s}.applications
        WHERE state IN ('rejected', 'expired', 'cancelled') AND erased_at IS NULL AND coalesce(decided_at, updated_at) < $1
          AND NOT EXISTS (SELECT 1 FROM ${this.s}.legal_holds h WHERE h.customer_id = owner_id)
        ORDER BY coalesce(decided_at, updated_at) LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [before, limit],
    );
    return rows.map((r) => ({ id: r.id, customerId: r.owner_id }));
  }

  async lockRetentionOver(now: Date, limit: number): Promise<{ id: string; customerId: string }[]> {
    const { rows } = await this.client.query<{ id: string; owner_id: string }>(
      `SELECT id, owner_id FROM ${this.s}.applications WHERE retain_until <= $1 AND erased_at IS NULL
          AND NOT EXISTS (SELECT 1 FROM ${this.s}.legal_holds h WHERE h.customer_id = owner_id)
        ORDER BY retain_until LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [now, limit],
    );
    return rows.map((r) => ({ id: r.id, customerId: r.owner_id }));
  }

  async legalHold(customerId: string): Promise<LegalHold | null> {
    const { rows } = await this.client.query<{ customer_id: string; placed_by: string; reason: string; placed_at: Date }>(
      `SELECT customer_id, placed_by, reason, placed_at FROM ${this.s}.legal_holds WHERE customer_id = $1`,
      [customerId],
    );
    const r = rows[0];
    return r ? { customerId: r.customer_id, placedBy: r.placed_by, reason: r.reason, placedAt: r.placed_at } : null;
  }

  async placeHold(hold: LegalHold): Promise<void> {
    await this.client.query(
      `INSERT INTO ${this.s}.legal_holds (customer_id, placed_by, reason, placed_at) VALUES ($1, $2, $3, $4)
       ON CONFLICT (customer_id) DO UPDATE SET placed_by = excluded.placed_by, reason = excluded.reason, placed_at = excluded.placed_at`,
      [hold.customerId, hold.placedBy, hold.reason, hold.placedAt],
    );
  }

  async releaseHold(customerId: string): Promise<boolean> {
    const { rowCount } = await this.client.query(`DELETE FROM ${this.s}.legal_holds WHERE customer_id = $1`, [customerId]);
    return (rowCount ?? 0) > 0;
  }

  async audit(entry: Parameters<ErasureTransaction['audit']>[0]): Promise<void> {
    await this.client.query(
      `INSERT INTO ${this.s}.audit_trail (application_id, actor_id, actor_role, action, detail, request_id) VALUES ($1, $2, $3, $4, $5, $6)`,
      [entry.applicationId, entry.actorId, entry.actorRole, entry.action, JSON.stringify(entry.detail), entry.requestId ?? null],
    );
  }
}
