// The kyc service under abuse from its own callers (docs/security.md, 6 and 9): a customer opening drafts
// without end, bodies nested to overflow the stack or too large to buffer, a member of staff reviewing
// their own application, and staff reads of applicant data that must leave a trace in the append-only
// audit trail.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { CONSENT, VALID_APPLICANT, panCardDocument, passportDocument, startKycHarness, token } from './kyc-support.js';
import type { KycHarness } from './kyc-support.js';
import { rawRequest } from '../../support/raw-http.js';
import { eventually, request } from './support.js';

type View = { id: string; state: string; applicant: { name: string | null }; history?: Array<{ action: string }> };
type Problem = { type: string; title: string; status: number; detail: string; field?: string };

describe('kyc limits and staff rules', () => {
  let h: KycHarness;
  let db: pg.Pool;

  beforeAll(async () => {
    // An empty value counts as unset: the service runs with its default cap of 5 open drafts.
    h = await startKycHarness({ KYC_MAX_OPEN_DRAFTS: '' });
    db = new pg.Pool({ connectionString: h.db.url, max: 2 });
  }, 60_000);

  afterAll(async () => {
    await db?.end();
    await h?.close();
  }, 60_000);

  const create = (t: string, headers: Record<string, string> = {}) =>
    request<View & Problem>(h.url('/api/v1/applications'), { body: CONSENT, token: t, headers });

  describe('drafts per customer', () => {
    it('when a customer holds 5 open drafts, then a sixth is 409 problem+json saying how to proceed, until one is submitted or cancelled', async () => {
      const customer = await token(`cust-${randomUUID()}`, 'customer');
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        const res = await create(customer);
        expect(res.status).toBe(201);
        ids.push(res.body.id);
      }
      const sixth = await create(customer, { 'idempotency-key': `sixth-${randomUUID()}` });
      expect([sixth.status, sixth.body.type]).toEqual([409, 'https://kyc.dev/problems/limit-reached']);
      expect(sixth.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(sixth.body.detail).toMatch(/5 open draft applications \(at most 5\); submit or cancel one/);
      // Another customer is not affected.
      expect((await create(await token(`cust-${randomUUID()}`, 'customer'))).status).toBe(201);
      // Submitting one makes room.
      const first = ids[0] as string;
      await request(h.url(`/api/v1/applications/${first}`), { method: 'PATCH', body: VALID_APPLICANT, token: customer });
      await request(h.url(`/api/v1/applications/${first}/documents`), { body: passportDocument, token: customer });
      await request(h.url(`/api/v1/applications/${first}/documents`), { body: panCardDocument, token: customer });
      expect((await request(h.url(`/api/v1/applications/${first}/submit`), { body: {}, token: customer })).status).toBe(202);
      expect((await create(customer)).status).toBe(201);
      expect((await create(customer)).status).toBe(409);
      // So does cancelling one.
      expect((await request(h.url(`/api/v1/applications/${ids[1] as string}/cancel`), { body: {}, token: customer })).status).toBe(200);
      expect((await create(customer)).status).toBe(201);
    }, 60_000);

    it('when 12 drafts are opened at once, then exactly 5 are created (the count and the insert are serialised per customer)', async () => {
      const owner = `cust-${randomUUID()}`;
      const customer = await token(owner, 'customer');
      const results = await Promise.all(Array.from({ length: 12 }, () => create(customer)));
      expect(results.map((r) => r.status).sort()).toEqual([...Array<number>(5).fill(201), ...Array<number>(7).fill(409)]);
      const { rows } = await db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM kyc.applications WHERE owner_id = $1 AND state = 'draft'`,
        [owner],
      );
      expect(rows[0]?.n).toBe(5);
    }, 60_000);
  });

  describe('JSON bodies', () => {
    const deep = (levels: number): string => `${'['.repeat(levels)}${']'.repeat(levels)}`;

    it('when a body nests too deep, with or without an Idempotency-Key, then 400 problem+json (never 500), and nothing earlier is lost', async () => {
      const customer = await token(`cust-${randomUUID()}`, 'customer');
      const kept = await create(customer, { 'idempotency-key': `kept-${randomUUID()}` });
      expect(kept.status).toBe(201);
      const patched = await request<View>(h.url(`/api/v1/applications/${kept.body.id}`), {
        method: 'PATCH',
        body: VALID_APPLICANT,
        token: customer,
      });
      expect(patched.status).toBe(200);
      const attacks = [
        { path: '/api/v1/applications', method: 'POST', rawBody: deep(100_000) },
        { path: '/api/v1/applications', method: 'POST', rawBody: `{"consent":${'{"a":'.repeat(50)}1${'}'.repeat(50)}}` },
        { path: `/api/v1/applications/${kept.body.id}`, method: 'PATCH', rawBody: `{"address":${deep(40)}}` },
        { path: `/api/v1/applications/${kept.body.id}/documents`, method: 'POST', rawBody: deep(1_000_000) },
      ];
      for (const attack of attacks) {
        for (const headers of [{}, { 'idempotency-key': `deep-${randomUUID()}` }] as Array<Record<string, string>>) {
          const res = await request<Problem>(h.url(attack.path), {
            method: attack.method,
            rawBody: attack.rawBody,
            token: customer,
            headers,
          });
          expect([attack.path, res.status, res.body.type]).toEqual([attack.path, 400, 'https://kyc.dev/problems/json-too-deep']);
          expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
        }
      }
      // The same over a raw socket, as a client library would never send it: 1 MB of [ with a key.
      const port = Number(new URL(h.url('/')).port);
      const raw = await rawRequest(
        port,
        `POST /api/v1/applications HTTP/1.1\r\nHost: kyc\r\nAuthorization: Bearer ${customer}\r\nContent-Type: application/json\r\nIdempotency-Key: raw-${randomUUID()}`,
        Buffer.alloc(1 << 20, '['),
      );
      expect(raw.status).toBe(400);
      expect(raw.headers['content-type']).toMatch(/application\/problem\+json/);
      // Afterwards a valid request works, and what was stored before is still there, unchanged.
      expect((await create(customer, { 'idempotency-key': `after-${randomUUID()}` })).status).toBe(201);
      const view = await request<View>(h.url(`/api/v1/applications/${kept.body.id}`), { token: customer });
      expect([view.status, view.body.state, view.body.applicant.name]).toEqual([200, 'draft', VALID_APPLICANT.name]);
      expect(h.logs.text()).not.toMatch(/Maximum call stack|request failed/);
    }, 60_000);

    it('when a body is larger than the limit (4 MB), then 413 problem+json naming the body', async () => {
      const customer = await token(`cust-${randomUUID()}`, 'customer');
      const { id } = (await create(customer)).body;
      const huge = { type: 'passport', contentType: 'application/pdf', content: 'A'.repeat(4_300_000) };
      const res = await request<Problem>(h.url(`/api/v1/applications/${id}/documents`), {
        body: huge,
        token: customer,
        headers: { 'idempotency-key': `huge-${randomUUID()}` },
      });
      expect([res.status, res.body.field]).toEqual([413, 'body']);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect((await request(h.url(`/api/v1/applications/${id}/documents`), { body: passportDocument, token: customer })).status).toBe(201);
    }, 60_000);
  });

  describe('ids', () => {
    it('when a client spells a UUID in upper case, then reads, writes and document downloads work as with the canonical id (it was a 500, and a PATCH sealed data no later read could open)', async () => {
      const customer = await token(`cust-${randomUUID()}`, 'customer');
      const { id } = (await create(customer)).body;
      const upper = id.toUpperCase();
      const patched = await request<View>(h.url(`/api/v1/applications/${upper}`), {
        method: 'PATCH',
        body: VALID_APPLICANT,
        token: customer,
      });
      expect([patched.status, patched.body.applicant.name]).toEqual([200, VALID_APPLICANT.name]);
      const doc = await request<{ id: string }>(h.url(`/api/v1/applications/${upper}/documents`), {
        body: passportDocument,
        token: customer,
      });
      expect(doc.status).toBe(201);
      const maker = await token(`maker-${randomUUID()}`, 'maker');
      for (const [path, t] of [
        [id, customer],
        [upper, customer],
        [upper, maker],
        [id, maker],
      ] as const) {
        const view = await request<View>(h.url(`/api/v1/applications/${path}`), { token: t });
        expect([view.status, view.body.applicant.name]).toEqual([200, VALID_APPLICANT.name]);
      }
      for (const [app, document] of [
        [upper, doc.body.id.toUpperCase()],
        [id, doc.body.id],
      ]) {
        const download = await fetch(h.url(`/api/v1/applications/${app}/documents/${document}`), {
          headers: { authorization: `Bearer ${customer}` },
        });
        expect(download.status).toBe(200);
        expect(
          Buffer.from(await download.arrayBuffer())
            .subarray(0, 5)
            .toString(),
        ).toBe('%PDF-');
      }
    }, 60_000);
  });

  describe('staff', () => {
    const submitted = async (owner: string): Promise<string> => {
      const customer = await token(owner, 'customer');
      const id = (await create(customer)).body.id;
      await request(h.url(`/api/v1/applications/${id}`), { method: 'PATCH', body: VALID_APPLICANT, token: customer });
      await request(h.url(`/api/v1/applications/${id}/documents`), { body: passportDocument, token: customer });
      await request(h.url(`/api/v1/applications/${id}/documents`), { body: panCardDocument, token: customer });
      expect((await request(h.url(`/api/v1/applications/${id}/submit`), { body: {}, token: customer })).status).toBe(202);
      const anyMaker = await token(`maker-${randomUUID()}`, 'maker');
      await eventually(
        async () =>
          (await request<View>(h.url(`/api/v1/applications/${id}`), { token: anyMaker })).body.state === 'pending_review'
            ? true
            : undefined,
        60_000,
      );
      return id;
    };

    it('when a member of staff is the applicant, then every review action on that application is 403 problem+json and changes nothing', async () => {
      // One person, one user id: a customer who later became a maker (and a checker).
      const person = `staff-${randomUUID()}`;
      const id = await submitted(person);
      const asMaker = await token(person, 'maker');
      const asChecker = await token(person, 'checker');
      for (const [path, body] of [
        ['recommend', { recommendation: 'approve' }],
        ['request-resubmission', { reason: 'need a clearer scan', documents: ['passport'] }],
      ] as const) {
        const res = await request<Problem>(h.url(`/api/v1/review/${id}/${path}`), { body, token: asMaker });
        expect([path, res.status]).toEqual([path, 403]);
        expect(res.body.detail).toMatch(/you are the applicant/);
        expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
      }
      const otherMaker = await token(`maker-${randomUUID()}`, 'maker');
      expect(
        (await request<View>(h.url(`/api/v1/review/${id}/recommend`), { body: { recommendation: 'approve' }, token: otherMaker })).body
          .state,
      ).toBe('pending_approval');
      for (const [path, body] of [
        ['approve', {}],
        ['reject', { reason: 'mine' }],
        ['return', { reason: 'mine' }],
      ] as const) {
        const res = await request<Problem>(h.url(`/api/v1/review/${id}/${path}`), { body, token: asChecker });
        expect([path, res.status]).toEqual([path, 403]);
      }
      const { rows } = await db.query<{ state: string }>(`SELECT state FROM kyc.applications WHERE id = $1`, [id]);
      expect(rows[0]?.state).toBe('pending_approval');
      const checker = await token(`checker-${randomUUID()}`, 'checker');
      expect((await request<View>(h.url(`/api/v1/review/${id}/approve`), { body: {}, token: checker })).body.state).toBe('approved');
    }, 90_000);

    it('when a reviewer note or reason holds a NUL, another control character or an unpaired surrogate, then 422 naming the field (it was a 500: jsonb refuses them), and the review still works', async () => {
      const id = await submitted(`cust-${randomUUID()}`);
      const maker = await token(`maker-${randomUUID()}`, 'maker');
      for (const [path, body, field] of [
        ['recommend', { recommendation: 'approve', note: 'looks fine\u0000' }, 'note'],
        ['request-resubmission', { reason: 'scan\u0007unreadable', documents: ['passport'] }, 'reason'],
        ['recommend', { recommendation: 'reject', note: 'half a pair \ud800' }, 'note'],
      ] as const) {
        const res = await request<Problem>(h.url(`/api/v1/review/${id}/${path}`), { body, token: maker });
        expect([path, res.status, res.body.field]).toEqual([path, 422, field]);
      }
      const recommended = await request<View>(h.url(`/api/v1/review/${id}/recommend`), {
        body: { recommendation: 'approve', note: 'documents match\nline two' },
        token: maker,
      });
      expect([recommended.status, recommended.body.state]).toEqual([200, 'pending_approval']);
      const checker = await token(`checker-${randomUUID()}`, 'checker');
      const bad = await request<Problem>(h.url(`/api/v1/review/${id}/reject`), { body: { reason: '\u0000' }, token: checker });
      expect([bad.status, bad.body.field]).toEqual([422, 'reason']);
    }, 90_000);

    it('when staff read an application, then each read is in the append-only audit trail with who and which request; customer reads are not', async () => {
      const owner = `cust-${randomUUID()}`;
      const customer = await token(owner, 'customer');
      const { id } = (await create(customer)).body;
      expect((await request(h.url(`/api/v1/applications/${id}`), { token: customer })).status).toBe(200);
      const makerId = `maker-${randomUUID()}`;
      const adminId = `admin-${randomUUID()}`;
      const read = await request<View>(h.url(`/api/v1/applications/${id}`), {
        token: await token(makerId, 'maker'),
        headers: { 'x-request-id': 'audit-read-1' },
      });
      expect(read.status).toBe(200);
      expect((await request(h.url(`/api/v1/applications/${id}`), { token: await token(adminId, 'admin') })).status).toBe(200);
      // A read of something that does not exist reads nothing and records nothing.
      expect((await request(h.url(`/api/v1/applications/${randomUUID()}`), { token: await token(makerId, 'maker') })).status).toBe(404);
      const { rows } = await db.query<{ actor_id: string; actor_role: string; request_id: string | null }>(
        `SELECT actor_id, actor_role, request_id FROM kyc.audit_trail WHERE application_id = $1 AND action = 'read_application' ORDER BY id`,
        [id],
      );
      expect(rows.map((r) => [r.actor_id, r.actor_role])).toEqual([
        [makerId, 'maker'],
        [adminId, 'admin'],
      ]);
      expect(rows[0]?.request_id).toBe('audit-read-1');
      // The history a reviewer sees is the application's life, not the reads.
      expect(read.body.history?.map((e) => e.action)).toEqual(['create']);
      await expect(db.query(`DELETE FROM kyc.audit_trail WHERE action = 'read_application'`)).rejects.toThrow(/append-only/);
    }, 60_000);
  });
});
