// The product, end to end, on whatever cluster KUBECONFIG names (`make up` locally): a customer and
// two staff members go through the whole KYC journey over HTTP, through the gateway Service of the
// platform the operator runs — registration, draft, applicant data, documents, submission, the
// asynchronous checks (Kafka), the maker's recommendation and the checker's approval, and the
// customer's notification — recorded, and e-mailed to the address they gave (make up's platform sends
// through the host's Mailpit, docs/notifications.md).
import { beforeAll, describe, expect, it } from '@jest/globals';
import { depsSetting } from './consumer-groups.js';
import {
  APPLICANT,
  CONSENT,
  DOCUMENTS,
  adminAccount,
  eventually,
  gatewayUrl,
  getPlatform,
  login,
  request,
  uniqueSuffix,
  waitReady,
} from './support.js';
import type { Account, Tokens } from './support.js';

interface View {
  id: string;
  state: string;
  review?: { makerId: string | null; checkerId: string | null };
  risk?: { category: string | null };
}

describe('the KYC journey through the gateway of the running platform', () => {
  let base = '';
  const api = (path: string): string => `${base}/api/v1${path}`;
  const run = uniqueSuffix();
  const customer: Account = { email: `e2e-customer-${run}@example.com`, password: `customer-password-${run}` };
  const maker: Account = { email: `e2e-maker-${run}@bank.example`, password: `maker-password-${run}` };
  const checker: Account = { email: `e2e-checker-${run}@bank.example`, password: `checker-password-${run}` };

  beforeAll(async () => {
    const platform = await getPlatform();
    await waitReady(platform.spec.version);
    base = await gatewayUrl();
    await eventually('the gateway answering /ready', async () => (await request(`${base}/ready`)).status === 200, 120_000, 1000);
  }, 720_000);

  it('serves the release the platform names', async () => {
    const platform = await getPlatform();
    const res = await request(api('/openapi.json'));
    expect(res.status).toBe(200);
    expect(res.headers.get('x-kyc-version')).toBe(platform.spec.version);
  });

  it('takes a customer from sign-up to an approved KYC, reviewed by a maker and a different checker', async () => {
    // Staff accounts, made by the first admin through the admin API.
    const admin = await login(api, await adminAccount());
    for (const [who, role] of [
      [maker, 'maker'],
      [checker, 'checker'],
    ] as const) {
      const made = await request(api('/admin/users'), {
        body: { ...who, role, staffId: `e2e-${role}-${run}` },
        token: admin.accessToken,
        idempotent: true,
      });
      expect(made.status).toBe(201);
    }

    expect((await request(api('/auth/register'), { body: customer })).status).toBe(202);
    const me: Tokens = await login(api, customer);
    // Where the customer's notifications are e-mailed (kept sealed by notification; never read back).
    const contact = await request(api('/notifications/contact'), { method: 'PUT', body: { email: customer.email }, token: me.accessToken });
    expect(contact.status).toBe(204);
    const created = await request<View>(api('/applications'), { body: CONSENT, token: me.accessToken, idempotent: true });
    expect([created.status, created.body.state]).toEqual([201, 'draft']);
    const id = created.body.id;
    const patched = await request<Record<string, unknown>>(api(`/applications/${id}`), {
      method: 'PATCH',
      body: APPLICANT,
      token: me.accessToken,
      idempotent: true,
    });
    expect(patched.status).toBe(200);
    // Identifiers come back masked, never in clear.
    expect(JSON.stringify(patched.body)).not.toContain(APPLICANT.aadhaar);
    expect(JSON.stringify(patched.body)).not.toContain(APPLICANT.pan);
    for (const document of DOCUMENTS) {
      expect(
        (await request(api(`/applications/${id}/documents`), { body: document, token: me.accessToken, idempotent: true })).status,
      ).toBe(201);
    }
    const submitted = await request<View>(api(`/applications/${id}/submit`), { body: {}, token: me.accessToken, idempotent: true });
    expect([submitted.status, submitted.body.state]).toEqual([202, 'submitted']);

    // The checks run asynchronously (kyc consumes its own event from Kafka).
    const makerTokens = await login(api, maker);
    await eventually(
      `application ${id} pending_review`,
      async () => (await request<View>(api(`/applications/${id}`), { token: makerTokens.accessToken })).body.state === 'pending_review',
      180_000,
      1000,
    );
    const queue = await request<{ items: { id: string }[] }>(api('/review/queue'), { token: makerTokens.accessToken });
    expect(queue.body.items.map((i) => i.id)).toContain(id);
    const recommended = await request<View>(api(`/review/${id}/recommend`), {
      body: { recommendation: 'approve', note: 'documents match' },
      token: makerTokens.accessToken,
      idempotent: true,
    });
    expect([recommended.status, recommended.body.state]).toEqual([200, 'pending_approval']);
    // Four eyes: the maker cannot approve.
    expect((await request(api(`/review/${id}/approve`), { body: {}, token: makerTokens.accessToken, idempotent: true })).status).toBe(403);

    const checkerTokens = await login(api, checker);
    const approved = await request<View>(api(`/review/${id}/approve`), { body: {}, token: checkerTokens.accessToken, idempotent: true });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({ state: 'approved', review: { makerId: makerTokens.user.id, checkerId: checkerTokens.user.id } });

    const own = await request<View>(api(`/applications/${id}`), { token: me.accessToken });
    expect(own.body.state).toBe('approved');
    // Someone else's application does not exist for another customer.
    const other: Account = { email: `e2e-other-${run}@example.com`, password: `other-password-${run}` };
    expect((await request(api('/auth/register'), { body: other })).status).toBe(202);
    const otherTokens = await login(api, other);
    expect((await request(api(`/applications/${id}`), { token: otherTokens.accessToken })).status).toBe(404);

    // The notification service (Kafka consumer) tells the customer.
    const notifications = await eventually(
      'a notification for the customer',
      async () => {
        const res = await request<{ items: unknown[] }>(api('/notifications'), { token: me.accessToken });
        return res.status === 200 && res.body.items.length > 0 ? res.body.items : undefined;
      },
      180_000,
      1000,
    );
    expect(notifications.length).toBeGreaterThan(0);
    // ... and the approval reached the customer's mailbox, once.
    const mailpit = depsSetting('MAILPIT_API');
    const approvedMail = await eventually(
      'the approval e-mail in Mailpit',
      async () => {
        const res = await fetch(`${mailpit}/api/v1/search?query=${encodeURIComponent(`to:"${customer.email}"`)}`);
        const found = (await res.json()) as { messages: { Subject: string }[] };
        const approvals = found.messages.filter((m) => m.Subject === 'Your KYC application is approved');
        return approvals.length > 0 ? approvals : undefined;
      },
      180_000,
      1000,
    );
    expect(approvedMail).toHaveLength(1);
  }, 600_000);

  it('refuses calls without a token and answers problem+json', async () => {
    const res = await request<{ status: number }>(api('/applications'), { body: CONSENT });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
  });
});
