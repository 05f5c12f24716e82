// Component tests of the kyc service's API rules, straight against the service (tokens minted with
// the shared helper): every validation rule answers 422 naming the field, the state machine and the
// roles are enforced, idempotent replay works, and the database refuses what the domain refuses.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { randomUUID } from 'node:crypto';
import { CONSENT, VALID_APPLICANT, panCardDocument, passportDocument, startKycHarness, token } from './kyc-support.js';
import type { KycHarness } from './kyc-support.js';
import { eventually, request } from './support.js';

type View = { id: string; state: string; applicant: Record<string, unknown>; documents: unknown[] };

describe('kyc service API', () => {
  let h: KycHarness;
  let customer: string;
  let otherCustomer: string;
  let maker: string;
  let checker: string;
  let admin: string;
  const customerId = `cust-${randomUUID()}`;

  beforeAll(async () => {
    h = await startKycHarness();
    customer = await token(customerId, 'customer');
    otherCustomer = await token(`cust-${randomUUID()}`, 'customer');
    maker = await token('maker-1', 'maker');
    checker = await token('checker-1', 'checker');
    admin = await token('admin-1', 'admin');
  }, 60_000);

  afterAll(async () => {
    await h?.close();
  }, 60_000);

  const draft = async (): Promise<string> => {
    const res = await request<View>(h.url('/api/v1/applications'), { body: CONSENT, token: customer });
    expect(res.status).toBe(201);
    return res.body.id;
  };
  const patch = (id: string, body: unknown, as = customer) =>
    request<{ field?: string; errors?: Array<{ field: string }> } & View>(h.url(`/api/v1/applications/${id}`), {
      method: 'PATCH',
      body,
      token: as,
    });

  describe('applicant data validation', () => {
    let id: string;
    beforeAll(async () => {
      id = await draft();
    });

    it('when every field is valid, then the data is stored and shown masked', async () => {
      const res = await patch(id, VALID_APPLICANT);
      expect(res.status).toBe(200);
      expect(res.body.applicant).toEqual({
        name: 'Kavya Raghunathan',
        dateOfBirth: '1990-05-17',
        address: { ...VALID_APPLICANT.address, country: 'IN' },
        pan: 'ABCPRXXXXF',
        aadhaar: 'XXXX XXXX 2346',
        passport: 'XXXX9854',
        voterId: 'XXXXXX6253',
        drivingLicence: 'XXXXXXXXXXX1234',
        ckycNumber: 'XXXXXXXXXX1234',
      });
      expect(res.text).not.toContain('234123412346');
      expect(res.text).not.toContain('ABCPR1234F');
    });

    it.each([
      ['pan', { pan: 'ABCPR0000F' }],
      ['pan', { pan: 'ABCPR1234' }],
      ['pan', { pan: 'ABCXR1234F' }],
      ['pan', { pan: 'AAACR5055K' }],
      ['pan', { pan: 'ABCPS1234F' }],
      ['aadhaar', { aadhaar: '234123412347' }],
      ['aadhaar', { aadhaar: '123412341234' }],
      ['aadhaar', { aadhaar: '23412341234' }],
      ['voterId', { voterId: 'WKH1186254' }],
      ['voterId', { voterId: 'WK11862533' }],
      ['passport', { passport: 'J83698541' }],
      ['drivingLicence', { drivingLicence: 'KA0120190001' }],
      ['drivingLicence', { drivingLicence: 'QQ0120190001234' }],
      ['ckycNumber', { ckycNumber: '1234567890123' }],
      ['dateOfBirth', { dateOfBirth: '1990-13-01' }],
      ['dateOfBirth', { dateOfBirth: '2015-01-01' }],
      ['name', { name: '' }],
      ['name', { name: 'Kavya Sharma' }],
      ['address.pincode', { address: { ...VALID_APPLICANT.address, pincode: '56001' } }],
      ['address.line1', { address: { ...VALID_APPLICANT.address, line1: undefined } }],
      ['nickname', { nickname: 'Kav' }],
      ['body', {}],
    ])('when %s is invalid (%j), then 422 names it', async (field, body) => {
      const res = await patch(id, body);
      expect(res.status).toBe(422);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(res.body.field).toBe(field);
      expect(res.body.errors?.map((e) => e.field)).toContain(field);
    });

    it('when the body is not JSON, then 400 and nothing changes', async () => {
      const res = await request(h.url(`/api/v1/applications/${id}`), { method: 'PATCH', rawBody: '{"name":', token: customer });
      expect(res.status).toBe(400);
      const view = await request<View>(h.url(`/api/v1/applications/${id}`), { token: customer });
      expect(view.body.applicant.name).toBe('Kavya Raghunathan');
    });
  });

  describe('documents', () => {
    it.each([
      ['type', { ...passportDocument, type: 'selfie' }],
      ['contentType', { ...passportDocument, contentType: 'text/html' }],
      ['content', { ...passportDocument, content: panCardDocument.content }],
      ['content', { ...passportDocument, content: '!!!' }],
      ['aadhaarRedacted', { ...panCardDocument, type: 'aadhaar_possession_proof' }],
    ])('when %s is wrong, then 422 names it', async (field, body) => {
      const id = await draft();
      const res = await request<{ field: string }>(h.url(`/api/v1/applications/${id}/documents`), { body, token: customer });
      expect([res.status, res.body.field]).toEqual([422, field]);
    });

    it('when a document is too large, then it is refused', async () => {
      const id = await draft();
      const big = Buffer.alloc(2 * 1024 * 1024 + 10, 0x20);
      big.write('%PDF-');
      const res = await request<{ field: string }>(h.url(`/api/v1/applications/${id}/documents`), {
        body: { ...passportDocument, content: big.toString('base64') },
        token: customer,
      });
      expect([res.status, res.body.field]).toEqual([422, 'content']);
    });

    it('when a document is uploaded, then its owner and staff can read it back and others cannot', async () => {
      const id = await draft();
      const res = await request<{ id: string; sizeBytes: number }>(h.url(`/api/v1/applications/${id}/documents`), {
        body: passportDocument,
        token: customer,
      });
      expect(res.status).toBe(201);
      const path = h.url(`/api/v1/applications/${id}/documents/${res.body.id}`);
      for (const t of [customer, maker]) {
        const read = await fetch(path, { headers: { authorization: `Bearer ${t}` } });
        expect(read.status).toBe(200);
        expect(Buffer.from(await read.arrayBuffer()).toString('base64')).toBe(passportDocument.content);
      }
      expect((await request(path, { token: otherCustomer })).status).toBe(404);
    });
  });

  describe('submission and the state machine', () => {
    it('when required data or documents are missing, then submit is 422 naming them', async () => {
      const id = await draft();
      const res = await request<{ errors: Array<{ field: string }> }>(h.url(`/api/v1/applications/${id}/submit`), {
        body: {},
        token: customer,
      });
      expect(res.status).toBe(422);
      expect(res.body.errors.map((e) => e.field).sort()).toEqual([
        'aadhaar',
        'address',
        'dateOfBirth',
        'documents',
        'documents',
        'name',
        'pan',
      ]);
    });

    it('when consent is missing or wrong at creation, then 422 names it', async () => {
      const res = await request<{ field: string }>(h.url('/api/v1/applications'), { body: {}, token: customer });
      expect([res.status, res.body.field]).toEqual([422, 'consent']);
      const bad = await request<{ field: string }>(h.url('/api/v1/applications'), {
        body: { consent: { purposes: ['marketing'], noticeVersion: 'v1' } },
        token: customer,
      });
      expect([bad.status, bad.body.field]).toEqual([422, 'consent.purposes']);
    });

    it('when a customer reads or changes another customer’s application, then it does not exist for them', async () => {
      const id = await draft();
      expect((await request(h.url(`/api/v1/applications/${id}`), { token: otherCustomer })).status).toBe(404);
      expect((await patch(id, { name: 'X' }, otherCustomer)).status).toBe(404);
      expect((await request(h.url(`/api/v1/applications/${id}/submit`), { body: {}, token: otherCustomer })).status).toBe(404);
      expect((await request(h.url(`/api/v1/applications/${id}`), { token: maker })).status).toBe(200);
    });

    it('when there is no or a bad token, then 401; when staff try customer actions, then 403', async () => {
      expect((await request(h.url('/api/v1/applications'), { body: CONSENT })).status).toBe(401);
      expect((await request(h.url('/api/v1/applications'), { body: CONSENT, token: 'not-a-token' })).status).toBe(401);
      expect((await request(h.url('/api/v1/applications'), { body: CONSENT, token: maker })).status).toBe(403);
      expect((await request(h.url('/api/v1/review/queue'), { token: customer })).status).toBe(403);
      const id = await draft();
      expect((await request(h.url(`/api/v1/review/${id}/recommend`), { body: { recommendation: 'approve' }, token: checker })).status).toBe(
        403,
      );
    });

    it('when an application is cancelled, then it can no longer change (409) and the database refuses illegal transitions', async () => {
      const id = await draft();
      const cancelled = await request<View>(h.url(`/api/v1/applications/${id}/cancel`), { body: {}, token: customer });
      expect([cancelled.status, cancelled.body.state]).toEqual([200, 'cancelled']);
      expect((await patch(id, { name: 'Kavya Raghunathan' })).status).toBe(409);
      expect((await request(h.url(`/api/v1/applications/${id}/submit`), { body: {}, token: customer })).status).toBe(409);
      expect((await request(h.url(`/api/v1/applications/${id}/cancel`), { body: {}, token: customer })).status).toBe(409);
      const client = new pg.Client({ connectionString: h.db.url });
      await client.connect();
      try {
        await expect(client.query(`UPDATE kyc.applications SET state = 'approved' WHERE id = $1`, [id])).rejects.toThrow(
          /illegal application transition cancelled -> approved/,
        );
        await expect(
          client.query(`INSERT INTO kyc.applications (id, owner_id, state) VALUES ($1, 'x', 'approved')`, [randomUUID()]),
        ).rejects.toThrow(/must be a draft/);
        await expect(client.query(`DELETE FROM kyc.audit_trail`)).rejects.toThrow(/append-only/);
        await expect(client.query(`UPDATE kyc.audit_trail SET action = 'x'`)).rejects.toThrow(/append-only/);
        await expect(client.query(`TRUNCATE kyc.audit_trail`)).rejects.toThrow(/append-only/);
      } finally {
        await client.end();
      }
    });

    it('when an admin cancels, then it is allowed; a maker cannot cancel', async () => {
      const id = await draft();
      expect((await request(h.url(`/api/v1/applications/${id}/cancel`), { body: {}, token: maker })).status).toBe(403);
      expect((await request(h.url(`/api/v1/applications/${id}/cancel`), { body: {}, token: admin })).status).toBe(200);
    });

    it('when ids are malformed, then 404', async () => {
      for (const bad of ['x', '1', 'not-a-uuid', '00000000-0000-0000-0000-00000000000g', randomUUID()]) {
        expect((await request(h.url(`/api/v1/applications/${bad}`), { token: customer })).status).toBe(404);
        expect((await request(h.url(`/api/v1/review/${bad}/approve`), { body: {}, token: checker })).status).toBe(404);
      }
    });

    it('when the queue query is wrong, then 422 names the parameter', async () => {
      expect((await request<{ field: string }>(h.url('/api/v1/review/queue?limit=0'), { token: maker })).body.field).toBe('limit');
      expect((await request<{ field: string }>(h.url('/api/v1/review/queue?state=approved'), { token: maker })).body.field).toBe('state');
      expect((await request(h.url('/api/v1/review/queue?limit=5'), { token: maker })).status).toBe(200);
      expect((await request<{ field: string }>(h.url('/api/v1/review/queue?after=1%27%20OR%201=1'), { token: maker })).body.field).toBe(
        'after',
      );
    });
  });

  describe('idempotency', () => {
    it('when a POST is repeated with the same key and body, then the first response is replayed; a different body is 422', async () => {
      const headers = { 'idempotency-key': `create-${randomUUID()}` };
      const first = await request<View>(h.url('/api/v1/applications'), { body: CONSENT, token: customer, headers });
      const again = await request<View>(h.url('/api/v1/applications'), { body: CONSENT, token: customer, headers });
      expect(first.status).toBe(201);
      expect(again.status).toBe(201);
      expect(again.body.id).toBe(first.body.id);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      const different = await request<{ field: string }>(h.url('/api/v1/applications'), {
        body: { consent: { ...CONSENT.consent, noticeVersion: 'other' } },
        token: customer,
        headers,
      });
      expect([different.status, different.body.field]).toEqual([422, 'Idempotency-Key']);
      const client = new pg.Client({ connectionString: h.db.url });
      await client.connect();
      try {
        const { rows } = await client.query(`SELECT count(*)::int AS n FROM kyc.applications WHERE id = $1`, [first.body.id]);
        expect(rows[0]).toEqual({ n: 1 });
      } finally {
        await client.end();
      }
    });

    it('when a document upload is retried with its key, then it is stored once', async () => {
      const id = await draft();
      const headers = { 'idempotency-key': `doc-${randomUUID()}` };
      const a = await request<{ id: string }>(h.url(`/api/v1/applications/${id}/documents`), {
        body: passportDocument,
        token: customer,
        headers,
      });
      const b = await request<{ id: string }>(h.url(`/api/v1/applications/${id}/documents`), {
        body: passportDocument,
        token: customer,
        headers,
      });
      expect(b.body.id).toBe(a.body.id);
      const view = await request<View>(h.url(`/api/v1/applications/${id}`), { token: customer });
      expect(view.body.documents).toHaveLength(1);
    });
  });

  describe('automatic checks', () => {
    const complete = async (applicant: Record<string, unknown>): Promise<string> => {
      const id = await draft();
      expect((await patch(id, applicant)).status).toBe(200);
      await request(h.url(`/api/v1/applications/${id}/documents`), { body: passportDocument, token: customer });
      await request(h.url(`/api/v1/applications/${id}/documents`), { body: panCardDocument, token: customer });
      const submitted = await request<View>(h.url(`/api/v1/applications/${id}/submit`), { body: {}, token: customer });
      expect([submitted.status, submitted.body.state]).toEqual([202, 'submitted']);
      return id;
    };
    const settled = (id: string) =>
      eventually(async () => {
        const res = await request<View & { findings: { checks: Array<{ check: string; status: string }> } }>(
          h.url(`/api/v1/applications/${id}`),
          { token: maker },
        );
        return ['pending_review', 'rejected'].includes(res.body.state) ? res.body : undefined;
      }, 60_000);

    it('when the applicant is on the sanctions list, then the application is rejected automatically', async () => {
      const id = await complete({ ...VALID_APPLICANT, name: 'Salim Memonwala', pan: 'ABCPM1234F', dateOfBirth: '1966-12-01' });
      const view = await settled(id);
      expect(view.state).toBe('rejected');
      expect(view.findings.checks.find((c) => c.check === 'sanctions_screening')?.status).toBe('failed');
    });

    it('when another customer already used the PAN, then the duplicate is flagged for the reviewer', async () => {
      const first = await complete({ ...VALID_APPLICANT, pan: 'ABCPR5678Q' });
      await settled(first);
      const other = await token(`cust-${randomUUID()}`, 'customer');
      const res = await request<View>(h.url('/api/v1/applications'), { body: CONSENT, token: other });
      const id = res.body.id;
      await patch(id, { ...VALID_APPLICANT, pan: 'abcpr-5678-q' }, other);
      await request(h.url(`/api/v1/applications/${id}/documents`), { body: passportDocument, token: other });
      await request(h.url(`/api/v1/applications/${id}/documents`), { body: panCardDocument, token: other });
      expect((await request(h.url(`/api/v1/applications/${id}/submit`), { body: {}, token: other })).status).toBe(202);
      const view = await settled(id);
      expect(view.state).toBe('pending_review');
      expect(view.findings.checks.find((c) => c.check === 'duplicates')?.status).toBe('flagged');
    });

    // After the two cases above, at least two applications wait for a maker.
    it('when the queue is read a page at a time, then following next walks it in order without repeats', async () => {
      type Page = { items: Array<{ id: string }>; next?: string };
      const whole = await request<Page>(h.url('/api/v1/review/queue?limit=100'), { token: admin });
      const walked: string[] = [];
      let after: string | undefined;
      do {
        const page: { body: Page } = await request<Page>(h.url(`/api/v1/review/queue?limit=1${after ? `&after=${after}` : ''}`), {
          token: admin,
        });
        walked.push(...page.body.items.map((item) => item.id));
        after = page.body.next;
      } while (after !== undefined && walked.length <= whole.body.items.length);
      expect(walked).toEqual(whole.body.items.map((item) => item.id));
      expect(walked.length).toBeGreaterThan(1);
    });
  });
});
