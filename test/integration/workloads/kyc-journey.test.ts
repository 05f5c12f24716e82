// The whole customer and reviewer journey through the gateway, with the auth and kyc services and the
// gateway all in-process on real PostgreSQL, Redis and Kafka: register → login → draft → documents →
// submit → automatic checks (Kafka consumer) → maker recommends → checker approves; then the events
// on Kafka, the database and the logs are inspected for order, duplicates and leaked PII.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { startAuth } from '../../../workloads/auth/main.js';
import type { RunningAuth } from '../../../workloads/auth/main.js';
import { startGateway } from '../../../workloads/gateway/main.js';
import type { RunningGateway } from '../../../workloads/gateway/main.js';
import { CONSENT, EventCollector, VALID_APPLICANT, panCardDocument, passportDocument, startKycHarness, token } from './kyc-support.js';
import type { KycHarness } from './kyc-support.js';
import { SIGNING_KEYS, captureLogs, eventually, request, requireEnv, suffix, verifierEnv } from './support.js';

const ADMIN = { email: `admin-${suffix()}@bank.example`, password: 'journey-admin-password-1' };
const CUSTOMER = { email: `kavya-${suffix()}@example.com`, password: 'journey-customer-password-1' };
const MAKER = { email: `maker-${suffix()}@bank.example`, password: 'journey-maker-password-1' };
const CHECKER = { email: `checker-${suffix()}@bank.example`, password: 'journey-checker-password-1' };
const AADHAAR_FORMS = ['234123412346', '2341 2341 2346', '2341-2341-2346'];
const PAN_FORMS = ['ABCPR1234F', 'abcpr1234f'];

type Tokens = { accessToken: string; refreshToken: string; user: { id: string } };
type View = {
  id: string;
  state: string;
  risk: { category: string | null; reKycDueOn: string | null };
  review: { makerId: string | null; checkerId: string | null };
  findings?: { checks: Array<{ check: string; status: string }> };
};

describe('the KYC journey through the gateway', () => {
  let h: KycHarness;
  let auth: RunningAuth;
  let gateway: RunningGateway;
  let collector: EventCollector;
  const authLogs = captureLogs('auth');
  const gatewayLogs = captureLogs('gateway');
  const secrets: string[] = [ADMIN.password, CUSTOMER.password, MAKER.password, CHECKER.password];
  let applicationId = '';
  let customerId = '';

  beforeAll(async () => {
    h = await startKycHarness();
    const redisPrefix = `test-${suffix()}:`;
    auth = await startAuth({
      port: 0,
      host: '127.0.0.1',
      logger: authLogs.logger,
      env: {
        DATABASE_URL: h.db.url,
        REDIS_URL: requireEnv('REDIS_URL'),
        REDIS_KEY_PREFIX: redisPrefix,
        AUTH_SIGNING_KEYS: SIGNING_KEYS,
        ADMIN_EMAIL: ADMIN.email,
        ADMIN_PASSWORD: ADMIN.password,
        AUTH_SCRYPT_COST: '1024',
        LOG_LEVEL: 'debug',
      },
    });
    gateway = await startGateway({
      port: 0,
      host: '127.0.0.1',
      logger: gatewayLogs.logger,
      env: {
        REDIS_KEY_PREFIX: redisPrefix,
        ...verifierEnv(),
        UPSTREAM_AUTH: auth.url,
        UPSTREAM_KYC: h.kyc.url,
        RATE_LIMIT_REQUESTS: '0',
        LOG_LEVEL: 'debug',
      },
    });
    collector = new EventCollector(h.topicPrefix);
    await collector.start();
  }, 90_000);

  afterAll(async () => {
    await collector?.stop();
    await gateway?.close();
    await auth?.close();
    await h?.close();
  }, 60_000);

  const api = (path: string): string => `${gateway.url}/api/v1${path}`;
  const login = async (who: { email: string; password: string }): Promise<Tokens> => {
    const res = await request<Tokens>(api('/auth/login'), { body: who });
    expect(res.status).toBe(200);
    secrets.push(res.body.accessToken, res.body.refreshToken);
    return res.body;
  };

  it('when a customer completes KYC and two different staff review it, then it is approved with a risk category and re-KYC date', async () => {
    expect((await request(api('/auth/register'), { body: CUSTOMER })).status).toBe(202);
    const customer = await login(CUSTOMER);
    customerId = customer.user.id;
    const admin = await login(ADMIN);
    for (const [staff, role] of [
      [MAKER, 'maker'],
      [CHECKER, 'checker'],
    ] as const) {
      expect(
        (await request(api('/admin/users'), { body: { ...staff, role, staffId: `${role}-${suffix()}` }, token: admin.accessToken })).status,
      ).toBe(201);
    }
    const maker = await login(MAKER);
    const checker = await login(CHECKER);
    const as = (t: Tokens) => ({ token: t.accessToken, headers: { 'idempotency-key': randomUUID() } });

    const created = await request<View>(api('/applications'), { body: CONSENT, ...as(customer) });
    expect([created.status, created.body.state]).toEqual([201, 'draft']);
    applicationId = created.body.id;
    expect((await request(api(`/applications/${applicationId}`), { method: 'PATCH', body: VALID_APPLICANT, ...as(customer) })).status).toBe(
      200,
    );
    expect((await request(api(`/applications/${applicationId}/documents`), { body: passportDocument, ...as(customer) })).status).toBe(201);
    expect((await request(api(`/applications/${applicationId}/documents`), { body: panCardDocument, ...as(customer) })).status).toBe(201);
    const submitted = await request<View>(api(`/applications/${applicationId}/submit`), { body: {}, ...as(customer) });
    expect([submitted.status, submitted.body.state]).toEqual([202, 'submitted']);

    // The automatic checks run asynchronously, from the Kafka consumer.
    const reviewed = await eventually(async () => {
      const res = await request<View>(api(`/applications/${applicationId}`), { token: maker.accessToken });
      return res.body.state === 'pending_review' ? res.body : undefined;
    }, 60_000);
    expect(reviewed.findings?.checks.every((c) => c.status === 'passed')).toBe(true);
    expect(reviewed.risk.category).toBe('low');

    const queue = await request<{ items: Array<{ id: string }> }>(api('/review/queue'), { token: maker.accessToken });
    expect(queue.body.items.map((i) => i.id)).toContain(applicationId);
    const recommended = await request<View>(api(`/review/${applicationId}/recommend`), {
      body: { recommendation: 'approve', note: 'documents match' },
      ...as(maker),
    });
    expect([recommended.status, recommended.body.state]).toEqual([200, 'pending_approval']);

    // Four eyes: the maker cannot approve — not with a maker's token, and not as the same person
    // holding a checker's token (e.g. after a change of role).
    expect((await request(api(`/review/${applicationId}/approve`), { body: {}, ...as(maker) })).status).toBe(403);
    const sameMakerAsChecker = await token(maker.user.id, 'checker');
    const ownApproval = await request<{ detail: string }>(api(`/review/${applicationId}/approve`), { body: {}, token: sameMakerAsChecker });
    expect(ownApproval.status).toBe(403);
    expect(ownApproval.body.detail).toMatch(/different person/);

    const approved = await request<View>(api(`/review/${applicationId}/approve`), { body: {}, ...as(checker) });
    expect(approved.status).toBe(200);
    expect(approved.body).toMatchObject({
      state: 'approved',
      review: { makerId: maker.user.id, checkerId: checker.user.id },
      risk: { category: 'low' },
    });
    const expectedDue = new Date();
    expectedDue.setUTCFullYear(expectedDue.getUTCFullYear() + 10);
    expect(approved.body.risk.reKycDueOn).toBe(expectedDue.toISOString().slice(0, 10));

    const own = await request<View>(api(`/applications/${applicationId}`), { token: customer.accessToken });
    expect(own.body.state).toBe('approved');
  }, 120_000);

  it('then the expected events are on Kafka, in order, each once', async () => {
    const expected = [
      'kyc.application.created',
      'kyc.document.uploaded',
      'kyc.document.uploaded',
      'kyc.application.submitted',
      'kyc.application.processing_started',
      ...Array<string>(7).fill('kyc.check.completed'),
      'kyc.application.review_assigned',
      'kyc.application.recommended',
      'kyc.application.approved',
    ];
    await eventually(() => {
      const kyc = collector.about(applicationId).filter((e) => e.topic.endsWith('kyc.events'));
      const risk = collector.events.filter((e) => e.type === 'customer.risk_category.changed' && e.subject === customerId);
      return Promise.resolve(kyc.length >= expected.length && risk.length >= 1 ? true : undefined);
    }, 60_000);
    // Give a duplicate (re-delivery) the chance to show up before judging "once".
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const kycEvents = collector.about(applicationId).filter((e) => e.topic.endsWith('kyc.events'));
    expect(kycEvents.map((e) => e.type)).toEqual(expected);
    expect(new Set(kycEvents.map((e) => e.id)).size).toBe(kycEvents.length);
    expect(kycEvents.every((e) => (e.data as { ownerId?: string }).ownerId === customerId)).toBe(true);
    const checks = kycEvents.filter((e) => e.type === 'kyc.check.completed').map((e) => (e.data as { check: string }).check);
    expect(checks).toEqual(['document_formats', 'pan', 'aadhaar', 'identity_documents', 'sanctions_screening', 'duplicates', 'risk']);

    const consent = collector.about(applicationId).filter((e) => e.topic.endsWith('consent.events'));
    expect(consent.map((e) => e.type)).toEqual(['consent.granted']);
    const risk = collector.events.filter((e) => e.type === 'customer.risk_category.changed' && e.subject === customerId);
    expect(risk).toHaveLength(1);
    expect(risk[0]?.data).toMatchObject({ previous: null, current: 'low', applicationId });

    const all = JSON.stringify(collector.events);
    for (const secret of [...AADHAAR_FORMS, ...PAN_FORMS, VALID_APPLICANT.name]) expect(all).not.toContain(secret);
  }, 90_000);

  it('then the Aadhaar number, the PAN and the name appear nowhere in clear in the database', async () => {
    const client = new pg.Client({ connectionString: h.db.url });
    await client.connect();
    try {
      const { rows: tables } = await client.query<{ schema: string; name: string }>(
        `SELECT table_schema AS schema, table_name AS name FROM information_schema.tables
          WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')`,
      );
      expect(tables.map((t) => `${t.schema}.${t.name}`)).toEqual(
        expect.arrayContaining(['kyc.applicants', 'kyc.aadhaar_vault', 'kyc.audit_trail', 'kyc.outbox']),
      );
      let dumped = '';
      for (const t of tables) {
        const { rows } = await client.query<{ row: string }>(`SELECT t::text AS row FROM "${t.schema}"."${t.name}" t`);
        // bytea columns are rendered as hex in the text form; decode them too so ciphertext is searched as bytes.
        for (const { row } of rows) {
          dumped += `${row}\n`;
          for (const hex of row.match(/\\\\x([0-9a-f]+)/g) ?? []) dumped += `${Buffer.from(hex.slice(3), 'hex').toString('latin1')}\n`;
        }
      }
      expect(dumped.length).toBeGreaterThan(1000);
      expect(dumped).toContain('XXXX');
      for (const secret of [...AADHAAR_FORMS, ...PAN_FORMS, VALID_APPLICANT.name, VALID_APPLICANT.address.line1]) {
        expect(dumped).not.toContain(secret);
      }
      const { rows: vault } = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM kyc.aadhaar_vault`);
      expect(vault[0]?.n).toBeGreaterThanOrEqual(1);
    } finally {
      await client.end();
    }
  });

  it('then the logs of every service hold no PAN, Aadhaar, password or token', () => {
    const logs = `${h.logs.text()}${authLogs.text()}${gatewayLogs.text()}`;
    expect(logs).toContain(applicationId);
    for (const secret of [...AADHAAR_FORMS, ...PAN_FORMS, ...secrets]) expect(logs).not.toContain(secret);
  });
});
