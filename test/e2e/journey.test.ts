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
  request,
  uniqueSuffix,
  waitReady,
} from './support.js';
import type { Account } from './support.js';
import { idempotent, kycApi } from '../support/api/client.js';
import type { Schemas } from '../support/api/client.js';

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
    // Every call goes through the typed client generated from the OpenAPI document (test/support/api),
    // so a journey that works here is one the published reference describes.
    let token: string | undefined;
    const client = kycApi(base, () => token);
    const signIn = async (who: Account): Promise<Schemas['Tokens']> => {
      const res = await client.POST('/auth/login', { body: who });
      if (res.response.status !== 200 || !res.data) throw new Error(`login of ${who.email} answered ${res.response.status}`);
      return res.data;
    };

    // Staff accounts, made by the first admin through the admin API.
    token = (await signIn(await adminAccount())).accessToken;
    for (const [who, role] of [
      [maker, 'maker'],
      [checker, 'checker'],
    ] as const) {
      const made = await client.POST('/admin/users', { body: { ...who, role, staffId: `e2e-${role}-${run}` }, params: idempotent() });
      expect(made.response.status).toBe(201);
    }

    token = undefined;
    expect((await client.POST('/auth/register', { body: customer, params: idempotent() })).response.status).toBe(202);
    const me = await signIn(customer);
    token = me.accessToken;
    // Where the customer's notifications are e-mailed (kept sealed by notification; never read back).
    const contact = await client.PUT('/notifications/contact', { body: { email: customer.email } });
    expect(contact.response.status).toBe(204);
    const created = await client.POST('/applications', { body: CONSENT, params: idempotent() });
    expect([created.response.status, created.data?.state]).toEqual([201, 'draft']);
    const id = created.data?.id ?? '';
    const at = { path: { id } };
    const patched = await client.PATCH('/applications/{id}', { params: { ...at, ...idempotent() }, body: APPLICANT });
    expect(patched.response.status).toBe(200);
    // Identifiers come back masked, never in clear.
    expect(JSON.stringify(patched.data)).not.toContain(APPLICANT.aadhaar);
    expect(JSON.stringify(patched.data)).not.toContain(APPLICANT.pan);
    for (const document of DOCUMENTS) {
      const uploaded = await client.POST('/applications/{id}/documents', { params: { ...at, ...idempotent() }, body: document });
      expect(uploaded.response.status).toBe(201);
    }
    const submitted = await client.POST('/applications/{id}/submit', { params: { ...at, ...idempotent() } });
    expect([submitted.response.status, submitted.data?.state]).toEqual([202, 'submitted']);

    // The checks run asynchronously (kyc consumes its own event from Kafka).
    const makerTokens = await signIn(maker);
    token = makerTokens.accessToken;
    await eventually(
      `application ${id} pending_review`,
      async () => (await client.GET('/applications/{id}', { params: at })).data?.state === 'pending_review',
      180_000,
      1000,
    );
    const queue = await client.GET('/review/queue');
    expect(queue.data?.items.map((i) => i.id)).toContain(id);
    const recommended = await client.POST('/review/{id}/recommend', {
      params: { ...at, ...idempotent() },
      body: { recommendation: 'approve', note: 'documents match' },
    });
    expect([recommended.response.status, recommended.data?.state]).toEqual([200, 'pending_approval']);
    // Four eyes: the maker cannot approve.
    expect((await client.POST('/review/{id}/approve', { params: { ...at, ...idempotent() }, body: {} })).response.status).toBe(403);

    const checkerTokens = await signIn(checker);
    token = checkerTokens.accessToken;
    const approved = await client.POST('/review/{id}/approve', { params: { ...at, ...idempotent() }, body: {} });
    expect(approved.response.status).toBe(200);
    expect(approved.data).toMatchObject({ state: 'approved', review: { makerId: makerTokens.user.id, checkerId: checkerTokens.user.id } });

    token = me.accessToken;
    const own = await client.GET('/applications/{id}', { params: at });
    expect(own.data?.state).toBe('approved');
    // Someone else's application does not exist for another customer.
    const other: Account = { email: `e2e-other-${run}@example.com`, password: `other-password-${run}` };
    token = undefined;
    expect((await client.POST('/auth/register', { body: other, params: idempotent() })).response.status).toBe(202);
    token = (await signIn(other)).accessToken;
    expect((await client.GET('/applications/{id}', { params: at })).response.status).toBe(404);
    token = me.accessToken;

    // The notification service (Kafka consumer) tells the customer.
    const notifications = await eventually(
      'a notification for the customer',
      async () => {
        const res = await client.GET('/notifications');
        return res.response.status === 200 && (res.data?.items.length ?? 0) > 0 ? res.data?.items : undefined;
      },
      180_000,
      1000,
    );
    expect(notifications?.length).toBeGreaterThan(0);
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
    const res = await kycApi(base).POST('/applications', { body: CONSENT, params: idempotent() });
    expect([res.response.status, res.error?.type]).toEqual([401, 'https://kyc.dev/problems/unauthorized']);
    expect(res.response.headers.get('content-type')).toContain('application/problem+json');
  });
});
