// Component tests of the review paths beyond the happy journey: a maker asks for documents and the
// applicant resubmits; a checker returns a recommendation and later rejects; stale drafts expire.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { CONSENT, EventCollector, VALID_APPLICANT, panCardDocument, passportDocument, startKycHarness, token } from './kyc-support.js';
import type { KycHarness } from './kyc-support.js';
import { eventually, request } from './support.js';

type View = {
  id: string;
  state: string;
  expiresAt: string | null;
  review: { makerId: string | null; recommendation: string | null; checkerId: string | null };
  history?: Array<{ action: string; actorRole: string; fromState: string | null; toState: string | null }>;
};

describe('kyc review paths', () => {
  let h: KycHarness;
  let collector: EventCollector;
  let customer: string;
  let maker: string;
  let otherMaker: string;
  let checker: string;

  beforeAll(async () => {
    h = await startKycHarness();
    collector = new EventCollector(h.topicPrefix);
    await collector.start();
    customer = await token(`cust-${randomUUID()}`, 'customer');
    maker = await token('maker-a', 'maker');
    otherMaker = await token('maker-b', 'maker');
    checker = await token('checker-a', 'checker');
  }, 60_000);

  afterAll(async () => {
    await collector?.stop();
    await h?.close();
  }, 60_000);

  const post = (path: string, body: unknown, t: string) => request<View>(h.url(path), { body, token: t });
  const get = (id: string, t = maker) => request<View>(h.url(`/api/v1/applications/${id}`), { token: t });
  const inState = (id: string, state: string) =>
    eventually(async () => {
      const res = await get(id);
      return res.body.state === state ? res.body : undefined;
    }, 60_000);

  const submitted = async (): Promise<string> => {
    const id = (await post('/api/v1/applications', CONSENT, customer)).body.id;
    await request(h.url(`/api/v1/applications/${id}`), { method: 'PATCH', body: VALID_APPLICANT, token: customer });
    await post(`/api/v1/applications/${id}/documents`, passportDocument, customer);
    await post(`/api/v1/applications/${id}/documents`, panCardDocument, customer);
    expect((await post(`/api/v1/applications/${id}/submit`, {}, customer)).status).toBe(202);
    await inState(id, 'pending_review');
    return id;
  };

  it('when a maker asks for documents, then the applicant can add them and resubmit, and the checks run again', async () => {
    const id = await submitted();
    const asked = await post(
      `/api/v1/review/${id}/request-resubmission`,
      { reason: 'passport scan unreadable', documents: ['passport'] },
      maker,
    );
    expect([asked.status, asked.body.state]).toEqual([200, 'resubmission_required']);
    expect(asked.body.expiresAt).not.toBeNull();
    expect((await post(`/api/v1/applications/${id}/documents`, passportDocument, customer)).status).toBe(201);
    expect((await post(`/api/v1/applications/${id}/submit`, {}, customer)).status).toBe(202);
    const again = await inState(id, 'pending_review');
    expect(again.history?.map((e) => e.action)).toEqual([
      'create',
      'update_applicant',
      'upload_document',
      'upload_document',
      'submit',
      'start_processing',
      'pass_checks',
      'request_resubmission',
      'upload_document',
      'submit',
      'start_processing',
      'pass_checks',
    ]);
    await eventually(() => {
      const types = collector.about(id).map((e) => e.type);
      return Promise.resolve(types.filter((t) => t === 'kyc.application.review_assigned').length === 2 ? types : undefined);
    });
    const types = collector.about(id).map((e) => e.type);
    expect(types).toContain('kyc.application.resubmission_requested');
    expect(types.filter((t) => t === 'kyc.application.submitted')).toHaveLength(2);
  }, 120_000);

  it('when a checker returns a recommendation, then another maker may recommend again, and the checker may reject', async () => {
    const id = await submitted();
    expect((await post(`/api/v1/review/${id}/recommend`, { recommendation: 'approve' }, maker)).body.state).toBe('pending_approval');
    expect((await post(`/api/v1/review/${id}/return`, {}, checker)).status).toBe(422);
    const returned = await post(`/api/v1/review/${id}/return`, { reason: 'verify the address proof' }, checker);
    expect([returned.status, returned.body.state, returned.body.review.recommendation]).toEqual([200, 'pending_review', null]);
    const again = await post(`/api/v1/review/${id}/recommend`, { recommendation: 'reject', note: 'address does not match' }, otherMaker);
    expect(again.body.review).toEqual({ makerId: 'maker-b', recommendation: 'reject', checkerId: null });
    expect((await post(`/api/v1/review/${id}/reject`, {}, checker)).status).toBe(422);
    const rejected = await post(`/api/v1/review/${id}/reject`, { reason: 'address proof does not match' }, checker);
    expect([rejected.status, rejected.body.state]).toEqual([200, 'rejected']);
    expect((await post(`/api/v1/review/${id}/approve`, {}, checker)).status).toBe(409);
    expect((await post(`/api/v1/applications/${id}/cancel`, {}, customer)).status).toBe(409);
  }, 120_000);

  it('when a maker acts on an application that is not waiting for review, then 409', async () => {
    const id = (await post('/api/v1/applications', CONSENT, customer)).body.id;
    expect((await post(`/api/v1/review/${id}/recommend`, { recommendation: 'approve' }, maker)).status).toBe(409);
    expect((await post(`/api/v1/review/${id}/approve`, {}, checker)).status).toBe(409);
  });

  it('when the applicant withdraws consent, then the application is cancelled and consent.withdrawn is published', async () => {
    const id = await submitted();
    const res = await request<View & { consents: Array<{ withdrawnAt: string | null }> }>(
      h.url(`/api/v1/applications/${id}/consent/withdraw`),
      { body: {}, token: customer },
    );
    expect([res.status, res.body.state]).toEqual([200, 'cancelled']);
    expect(res.body.consents.every((c) => c.withdrawnAt !== null)).toBe(true);
    expect((await request(h.url(`/api/v1/applications/${id}/consent/withdraw`), { body: {}, token: customer })).status).toBe(409);
    await eventually(() => {
      const types = collector.about(id).map((e) => e.type);
      // Two topics: their relative order at the collector is not defined, so only presence is checked.
      return Promise.resolve(types.includes('consent.withdrawn') && types.includes('kyc.application.cancelled') ? true : undefined);
    });
  }, 120_000);

  it('when an approved customer’s re-KYC falls due, then customer.rekyc.due is published once', async () => {
    const id = await submitted();
    await post(`/api/v1/review/${id}/recommend`, { recommendation: 'approve' }, maker);
    expect((await post(`/api/v1/review/${id}/approve`, {}, checker)).body.state).toBe('approved');
    const client = new pg.Client({ connectionString: h.db.url });
    await client.connect();
    try {
      await client.query(`UPDATE kyc.applications SET rekyc_due_on = current_date + 7 WHERE id = $1`, [id]);
    } finally {
      await client.end();
    }
    expect(await h.kyc.kyc.announceReKycDue(30)).toBe(1);
    expect(await h.kyc.kyc.announceReKycDue(30)).toBe(0);
    const due = await eventually(() =>
      Promise.resolve(
        collector.events.find((e) => e.type === 'customer.rekyc.due' && (e.data as { applicationId?: string }).applicationId === id),
      ),
    );
    expect(due.topic).toBe(`${h.topicPrefix}customer.events`);
  }, 120_000);

  it('when a draft outlives its time, then the sweep expires it and it can no longer change', async () => {
    const id = (await post('/api/v1/applications', CONSENT, customer)).body.id;
    const client = new pg.Client({ connectionString: h.db.url });
    await client.connect();
    try {
      await client.query(`UPDATE kyc.applications SET expires_at = now() - interval '1 minute' WHERE id = $1`, [id]);
    } finally {
      await client.end();
    }
    expect(await h.kyc.kyc.expireStale()).toBeGreaterThanOrEqual(1);
    expect((await get(id)).body.state).toBe('expired');
    expect(
      (await request(h.url(`/api/v1/applications/${id}`), { method: 'PATCH', body: { name: 'Kavya Raghunathan' }, token: customer }))
        .status,
    ).toBe(409);
    await eventually(() => Promise.resolve(collector.about(id).some((e) => e.type === 'kyc.application.expired') ? true : undefined));
  });
});

describe('kyc without Kafka', () => {
  it('when Kafka is unreachable, then the service still serves and keeps the events in its outbox', async () => {
    const h = await startKycHarness({ KAFKA_BROKERS: '127.0.0.1:9' }, { waitForKafka: false });
    try {
      const customer = await token(`cust-${randomUUID()}`, 'customer');
      const created = await request<View>(h.url('/api/v1/applications'), { body: CONSENT, token: customer });
      expect([created.status, created.body.state]).toEqual([201, 'draft']);
      expect((await request(h.metricsUrl('/health'))).status).toBe(200);
      const metrics = await (await fetch(h.metricsUrl('/metrics'))).text();
      expect(metrics).toMatch(/kyc_outbox_pending\{[^}]*\} 2/);
      expect(metrics).toMatch(/kyc_kafka_connected\{[^}]*\} 0/);
    } finally {
      await h.close();
    }
  }, 60_000);
});
