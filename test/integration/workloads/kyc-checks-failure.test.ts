// Automatic checks that cannot complete: the application must not stay in `processing`. Here the
// applicant record is damaged (its envelope no longer decrypts), so every attempt fails; after five
// the application is referred to a maker's review with the reason, audited and published.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { newEvent } from '../../../workloads/shared/index.js';
import { handleSubmitted } from '../../../workloads/kyc/entry-points/checks-consumer.js';
import { CONSENT, VALID_APPLICANT, panCardDocument, passportDocument, startKycHarness, token } from './kyc-support.js';
import type { KycHarness } from './kyc-support.js';
import { request } from './support.js';

describe('automatic checks that keep failing', () => {
  let h: KycHarness;
  let db: pg.Client;

  beforeAll(async () => {
    h = await startKycHarness({ KYC_CHECKS_CONSUMER: 'false' }, { waitForKafka: false });
    db = new pg.Client({ connectionString: h.db.url });
    await db.connect();
  }, 60_000);

  afterAll(async () => {
    await db?.end();
    await h?.close();
  }, 60_000);

  it('when every attempt fails, then the application moves to pending_review with the reason, an audit record and an event', async () => {
    const owner = `cust-${randomUUID()}`;
    const customer = await token(owner, 'customer');
    const id = (await request<{ id: string }>(h.url('/api/v1/applications'), { body: CONSENT, token: customer })).body.id;
    expect((await request(h.url(`/api/v1/applications/${id}`), { method: 'PATCH', body: VALID_APPLICANT, token: customer })).status).toBe(
      200,
    );
    await request(h.url(`/api/v1/applications/${id}/documents`), { body: passportDocument, token: customer });
    await request(h.url(`/api/v1/applications/${id}/documents`), { body: panCardDocument, token: customer });
    expect((await request(h.url(`/api/v1/applications/${id}/submit`), { body: {}, token: customer })).status).toBe(202);

    // Damage the sealed applicant record: one flipped bit and GCM refuses it, on every attempt.
    await db.query(
      `UPDATE kyc.applicants SET data_enc = set_byte(data_enc, length(data_enc) - 1, get_byte(data_enc, length(data_enc) - 1) # 1) WHERE application_id = $1`,
      [id],
    );
    const event = newEvent('kyc.application.submitted', id, { applicationId: id, ownerId: owner }, owner);
    expect(await handleSubmitted(event, h.kyc.kyc, h.logs.logger, { backoffMs: 0 })).toBe('referred');

    const state = await db.query<{ state: string; findings: { manualReview?: { reason: string; attempts: number; error: string } } }>(
      `SELECT state, findings FROM kyc.applications WHERE id = $1`,
      [id],
    );
    expect(state.rows[0]?.state).toBe('pending_review');
    expect(state.rows[0]?.findings.manualReview).toMatchObject({ reason: 'automatic_checks_failed', attempts: 5 });
    expect(state.rows[0]?.findings.manualReview?.error).toMatch(/EnvelopeError/);

    const audit = await db.query<{ action: string; actor_role: string; from_state: string; to_state: string; detail: { note?: string } }>(
      `SELECT action, actor_role, from_state, to_state, detail FROM kyc.audit_trail WHERE application_id = $1 ORDER BY id`,
      [id],
    );
    expect(audit.rows.map((r) => r.action)).toEqual([
      'create',
      'update_applicant',
      'upload_document',
      'upload_document',
      'submit',
      'start_processing',
      'refer_to_review',
    ]);
    const referral = audit.rows.at(-1);
    expect(referral).toMatchObject({ actor_role: 'system', from_state: 'processing', to_state: 'pending_review' });
    expect(referral?.detail.note).toMatch(/^automatic_checks_failed: 5 attempts/);

    const events = await db.query<{ event_type: string; payload: { data: Record<string, unknown> } }>(
      `SELECT event_type, payload FROM kyc.outbox WHERE payload->>'subject' = $1 ORDER BY id`,
      [id],
    );
    const last = events.rows.at(-1);
    expect(last?.event_type).toBe('kyc.application.review_assigned');
    expect(last?.payload.data).toMatchObject({
      applicationId: id,
      fromState: 'processing',
      toState: 'pending_review',
      queue: 'maker',
      reason: 'automatic_checks_failed',
      attempts: 5,
    });

    // The maker's queue holds it; running the handler again (a redelivery) changes nothing.
    const maker = await token('maker-a', 'maker');
    const queue = await request<{ items: Array<{ id: string }> }>(h.url('/api/v1/review/queue'), { token: maker });
    expect(queue.body.items.map((item) => item.id)).toContain(id);
    expect(await handleSubmitted(event, h.kyc.kyc, h.logs.logger, { backoffMs: 0 })).toBe('skipped');
  }, 60_000);

  it('when applications sit in processing (checks cut short), then the sweep runs their checks again, and refers the ones that still fail', async () => {
    const submittedApplication = async (): Promise<string> => {
      const customer = await token(`cust-${randomUUID()}`, 'customer');
      const id = (await request<{ id: string }>(h.url('/api/v1/applications'), { body: CONSENT, token: customer })).body.id;
      await request(h.url(`/api/v1/applications/${id}`), { method: 'PATCH', body: VALID_APPLICANT, token: customer });
      await request(h.url(`/api/v1/applications/${id}/documents`), { body: passportDocument, token: customer });
      await request(h.url(`/api/v1/applications/${id}/documents`), { body: panCardDocument, token: customer });
      expect((await request(h.url(`/api/v1/applications/${id}/submit`), { body: {}, token: customer })).status).toBe(202);
      // As if a checks run had started and its process died: processing, nothing else.
      await db.query(`UPDATE kyc.applications SET state = 'processing' WHERE id = $1`, [id]);
      return id;
    };
    const healthy = await submittedApplication();
    const damaged = await submittedApplication();
    await db.query(
      `UPDATE kyc.applicants SET data_enc = set_byte(data_enc, length(data_enc) - 1, get_byte(data_enc, length(data_enc) - 1) # 1) WHERE application_id = $1`,
      [damaged],
    );
    await new Promise((resolve) => setTimeout(resolve, 50));

    const result = await h.kyc.kyc.redriveStuck(10);
    expect(result.done).toBeGreaterThanOrEqual(1);
    expect(result.referred).toBeGreaterThanOrEqual(1);
    const states = await db.query<{ id: string; state: string; reason: string | null }>(
      `SELECT id, state, findings->'manualReview'->>'reason' AS reason FROM kyc.applications WHERE id = ANY($1::uuid[])`,
      [[healthy, damaged]],
    );
    const byId = new Map(states.rows.map((r) => [r.id, r]));
    expect(byId.get(healthy)).toMatchObject({ state: 'pending_review', reason: null });
    expect(byId.get(damaged)).toMatchObject({ state: 'pending_review', reason: 'automatic_checks_failed' });
    // Nothing is left in processing, so a second sweep has nothing to do.
    expect(await h.kyc.kyc.redriveStuck(10)).toEqual({ done: 0, referred: 0 });
  }, 60_000);
});
