// Erasure and retention against the real PostgreSQL (docs/retention.md): a customer's rejected or
// abandoned application is erased on request (applicant envelope, documents, Aadhaar vault entry gone; the
// skeleton and the audit trail stay, the audit without the data); an approved one is a KYC record kept five
// years, marked, and erased by the housekeeping once that time is up; the database refuses a request that
// would move backwards. The end of a customer relationship, signalled by an admin, starts the same clock
// without a request; only an admin may signal it.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { CONSENT, VALID_APPLICANT, passportDocument, startKycHarness, token } from './kyc-support.js';
import type { KycHarness } from './kyc-support.js';
import { newSigningKeys, request, suffix } from './support.js';
import { PassThrough, Readable } from 'node:stream';
import { dumpSchemas } from '../../../workloads/backup/dump.js';
import { FRAME, readFrames } from '../../../workloads/backup/frames.js';
import { MANIFEST_FORMAT } from '../../../workloads/backup/manifest.js';
import { createPool, parseSigningKeys, signAccessToken } from '../../../workloads/shared/index.js';

interface ErasureView {
  id: string;
  customerId: string;
  state: string;
  completedAt: string | null;
  erased: string[];
  retained: { applicationId: string; until: string; reason: string }[];
}

describe('erasure and retention of personal data', () => {
  let h: KycHarness;
  let db: pg.Client;
  const count = async (sql: string, values: unknown[]): Promise<number> => Number((await db.query<{ n: string }>(sql, values)).rows[0]?.n);
  const personalData = async (applicationId: string) => ({
    applicants: await count('SELECT count(*) AS n FROM kyc.applicants WHERE application_id = $1', [applicationId]),
    documents: await count('SELECT count(*) AS n FROM kyc.documents WHERE application_id = $1', [applicationId]),
  });

  /** The COPY text of kyc.applicants and kyc.documents in a backup dump made now (the backup program's own dump). */
  async function dumpedPersonalData(): Promise<string> {
    const pool = createPool(h.db.url, { max: 1 });
    const client = await pool.connect();
    try {
      const sink = new PassThrough();
      const chunks: Buffer[] = [];
      sink.on('data', (chunk: Buffer) => chunks.push(chunk));
      await dumpSchemas(client, ['kyc'], sink, (dumped) => ({
        format: MANIFEST_FORMAT,
        id: 'x',
        createdAt: new Date().toISOString(),
        encryption: { algorithm: 'AES-256-GCM', keyId: 'k' },
        ...dumped,
      }));
      sink.end();
      let table = '';
      let text = '';
      const whole = Buffer.concat(chunks);
      for await (const f of readFrames(Readable.from([whole]) as AsyncIterable<Buffer>)) {
        if (f.type === FRAME.table) table = (JSON.parse(f.payload.toString()) as { table: string }).table;
        else if (f.type === FRAME.data && (table === 'applicants' || table === 'documents')) text += f.payload.toString();
      }
      return text;
    } finally {
      client.release();
      await pool.end();
    }
  }

  /** A draft with applicant data (Aadhaar in the vault) and a document. */
  async function applicationOf(customer: string): Promise<string> {
    const draft = await request<{ id: string }>(h.url('/api/v1/applications'), { body: CONSENT, token: customer });
    const id = draft.body.id;
    expect((await request(h.url(`/api/v1/applications/${id}`), { method: 'PATCH', body: VALID_APPLICANT, token: customer })).status).toBe(
      200,
    );
    expect((await request(h.url(`/api/v1/applications/${id}/documents`), { body: passportDocument, token: customer })).status).toBe(201);
    return id;
  }

  /** An application of the customer's taken to approved through the state machine's own transitions (the database's guard checks each). */
  async function approvedApplicationOf(customerId: string, decidedAt = 'now()'): Promise<string> {
    const id = await applicationOf(await token(customerId, 'customer'));
    for (const state of ['submitted', 'processing', 'pending_review', 'pending_approval'])
      await db.query('UPDATE kyc.applications SET state = $2 WHERE id = $1', [id, state]);
    await db.query(
      `UPDATE kyc.applications SET state = 'approved', maker_id = 'maker-1', checker_id = 'checker-1', decided_at = ${decidedAt} WHERE id = $1`,
      [id],
    );
    return id;
  }

  beforeAll(async () => {
    h = await startKycHarness({}, { waitForKafka: false });
    db = new pg.Client({ connectionString: h.db.url });
    await db.connect();
  }, 60_000);

  afterAll(async () => {
    await db?.end();
    await h?.close();
  }, 60_000);

  it('when a customer with an open application asks, then 409 naming it; once cancelled, then erased: data and vault entry gone, audit without it', async () => {
    const customerId = `cust-${suffix()}`;
    const customer = await token(customerId, 'customer');
    const id = await applicationOf(customer);
    const vaultBefore = await count('SELECT count(*) AS n FROM kyc.aadhaar_vault', []);

    expect(await dumpedPersonalData()).toContain(id);

    const refused = await request(h.url('/api/v1/erasure-requests'), { body: {}, token: customer });
    expect(refused.status).toBe(409);
    expect(JSON.stringify(refused.body)).toContain(id);

    expect((await request(h.url(`/api/v1/applications/${id}/cancel`), { method: 'POST', token: customer })).status).toBe(200);
    const done = await request<ErasureView>(h.url('/api/v1/erasure-requests'), { body: {}, token: customer });
    expect(done.status).toBe(201);
    expect(done.body).toMatchObject({ customerId, state: 'completed', erased: [id], retained: [] });
    expect(await personalData(id)).toEqual({ applicants: 0, documents: 0 });
    expect(await count('SELECT count(*) AS n FROM kyc.aadhaar_vault', [])).toBe(vaultBefore - 1);
    expect(await count('SELECT count(*) AS n FROM kyc.applications WHERE id = $1 AND erased_at IS NOT NULL', [id])).toBe(1);

    const trail = (
      await db.query<{ action: string; detail: unknown }>(
        'SELECT action, detail FROM kyc.audit_trail WHERE application_id = $1 ORDER BY id',
        [id],
      )
    ).rows;
    expect(trail.at(-1)).toEqual({ action: 'personal_data_erased', detail: { erasureRequestId: done.body.id } });
    expect(JSON.stringify(trail)).not.toContain(VALID_APPLICANT.name);

    // A backup made after the erasure leaves the application's personal data out (docs/retention.md, "Backups").
    expect(await dumpedPersonalData()).not.toContain(id);

    const read = await request<ErasureView>(h.url(`/api/v1/erasure-requests/${done.body.id}`), { token: customer });
    expect(read.body).toEqual(done.body);
    const stranger = await token(`cust-${suffix()}`, 'customer');
    expect((await request(h.url(`/api/v1/erasure-requests/${done.body.id}`), { token: stranger })).status).toBe(404);
  }, 60_000);

  it('when an admin asks for a customer with an approved application, then it is kept five years and marked; when that time is up, then the sweep erases it and completes the request', async () => {
    const customerId = `cust-${suffix()}`;
    const id = await approvedApplicationOf(customerId);

    const admin = await token(`admin-${suffix()}`, 'admin');
    const maker = await token(`maker-${suffix()}`, 'maker');
    expect((await request(h.url('/api/v1/erasure-requests'), { body: { customerId }, token: maker })).status).toBe(403);
    const kept = await request<ErasureView>(h.url('/api/v1/erasure-requests'), { body: { customerId }, token: admin });
    expect(kept.status).toBe(201);
    expect(kept.body).toMatchObject({ state: 'retained', erased: [], completedAt: null });
    const until = new Date(kept.body.retained[0]?.until ?? '');
    expect(until.getUTCFullYear() - new Date().getUTCFullYear()).toBe(5);
    expect(kept.body.retained[0]?.reason).toContain('RBI KYC Master Direction');
    expect(await personalData(id)).toEqual({ applicants: 1, documents: 1 });
    expect(await h.kyc.erasure.eraseRetentionOver()).toBe(0);

    // Five years on (moved in the database rather than waiting).
    await db.query("UPDATE kyc.applications SET retain_until = now() - interval '1 second' WHERE id = $1", [id]);
    expect(await h.kyc.erasure.eraseRetentionOver()).toBe(1);
    expect(await personalData(id)).toEqual({ applicants: 0, documents: 0 });
    const after = await request<ErasureView>(h.url(`/api/v1/erasure-requests/${kept.body.id}`), { token: admin });
    expect(after.body).toMatchObject({ state: 'completed', completedAt: expect.any(String) });

    // The request's state machine is the database's too: no way back.
    await expect(db.query("UPDATE kyc.erasure_requests SET state = 'retained' WHERE id = $1", [kept.body.id])).rejects.toThrow(
      'illegal erasure request transition completed -> retained',
    );
  }, 60_000);

  it('when a cancelled application closed longer ago than KYC_CLOSED_RETENTION_DAYS, then the sweep erases it without a request', async () => {
    const customer = await token(`cust-${suffix()}`, 'customer');
    const id = await applicationOf(customer);
    expect((await request(h.url(`/api/v1/applications/${id}/cancel`), { method: 'POST', token: customer })).status).toBe(200);
    expect(await h.kyc.erasure.eraseClosed(180)).toBe(0);
    await db.query("UPDATE kyc.applications SET decided_at = now() - interval '181 days' WHERE id = $1", [id]);
    expect(await h.kyc.erasure.eraseClosed(180)).toBe(1);
    expect(await personalData(id)).toEqual({ applicants: 0, documents: 0 });
    const last = (
      await db.query<{ action: string; detail: unknown }>(
        'SELECT action, detail FROM kyc.audit_trail WHERE application_id = $1 ORDER BY id DESC LIMIT 1',
        [id],
      )
    ).rows[0];
    expect(last).toEqual({ action: 'personal_data_erased', detail: { reason: 'closed_retention_over', closedRetentionDays: 180 } });
  }, 60_000);

  it('when an admin places a legal hold, then the request is 409 and the sweeps pass the customer by; released, then erasure goes through', async () => {
    const customerId = `cust-${suffix()}`;
    const customer = await token(customerId, 'customer');
    const id = await applicationOf(customer);
    expect((await request(h.url(`/api/v1/applications/${id}/cancel`), { method: 'POST', token: customer })).status).toBe(200);
    await db.query("UPDATE kyc.applications SET decided_at = now() - interval '181 days' WHERE id = $1", [id]);
    const admin = await token(`admin-${suffix()}`, 'admin');
    const hold = h.url(`/api/v1/legal-holds/${customerId}`);
    expect((await request(hold, { method: 'PUT', body: { reason: 'court order 2026/114' }, token: customer })).status).toBe(403);
    const placed = await request(hold, { method: 'PUT', body: { reason: 'court order 2026/114' }, token: admin });
    expect(placed.status).toBe(200);
    expect(placed.body).toMatchObject({ customerId, reason: 'court order 2026/114' });

    expect((await request(h.url('/api/v1/erasure-requests'), { body: {}, token: customer })).status).toBe(409);
    expect(await h.kyc.erasure.eraseClosed(180)).toBe(0);
    expect(await personalData(id)).toEqual({ applicants: 1, documents: 1 });

    expect((await request(hold, { method: 'DELETE', token: admin })).status).toBe(204);
    expect((await request(hold, { method: 'DELETE', token: admin })).status).toBe(404);
    const done = await request<ErasureView>(h.url('/api/v1/erasure-requests'), { body: {}, token: customer });
    expect(done.body).toMatchObject({ state: 'completed', erased: [id] });
    const actions = (
      await db.query<{ action: string }>('SELECT action FROM kyc.audit_trail WHERE application_id = $1 ORDER BY id', [id])
    ).rows.map((r) => r.action);
    expect(actions.slice(-3)).toEqual(['legal_hold_placed', 'legal_hold_released', 'personal_data_erased']);
  }, 60_000);

  describe('the end of a customer relationship', () => {
    const endOf = (customerId: string) => h.url(`/api/v1/customers/${customerId}/relationship-end`);
    const retainUntil = async (id: string) =>
      (await db.query<{ retain_until: Date | null }>('SELECT retain_until FROM kyc.applications WHERE id = $1', [id])).rows[0]
        ?.retain_until ?? null;

    it('when an admin signals it, then the approved application is kept five years after that day, audited once; under a legal hold the sweep waits; then it erases it', async () => {
      const customerId = `cust-${suffix()}`;
      const id = await approvedApplicationOf(customerId, "'2025-06-01T10:00:00Z'");
      const bystander = await approvedApplicationOf(`cust-${suffix()}`, "'2025-06-01T10:00:00Z'");
      const admin = await token(`admin-${suffix()}`, 'admin');
      const signal = { endedOn: '2026-01-15', reason: 'account_closed' };

      const ended = await request(endOf(customerId), { body: signal, token: admin });
      expect(ended.status).toBe(200);
      expect(ended.body).toEqual({
        customerId,
        endedOn: '2026-01-15',
        reason: 'account_closed',
        applications: [{ applicationId: id, retainUntil: '2031-01-16T00:00:00.000Z', changed: true }],
      });
      expect(await retainUntil(id)).toEqual(new Date('2031-01-16T00:00:00Z'));
      expect(await retainUntil(bystander)).toBeNull();

      // A repeat (a retried call, a second system saying the same) and a later day change nothing.
      const repeat = await request<{ applications: { changed: boolean }[] }>(endOf(customerId), { body: signal, token: admin });
      expect(repeat.body.applications).toEqual([{ applicationId: id, retainUntil: '2031-01-16T00:00:00.000Z', changed: false }]);
      const later = await request<{ applications: { changed: boolean }[] }>(endOf(customerId), {
        body: { endedOn: '2026-03-01', reason: 'other' },
        token: admin,
      });
      expect(later.body.applications[0]?.changed).toBe(false);
      const trail = (
        await db.query<{ action: string; actor_role: string; detail: unknown }>(
          "SELECT action, actor_role, detail FROM kyc.audit_trail WHERE application_id = $1 AND action = 'relationship_ended'",
          [id],
        )
      ).rows;
      expect(trail).toEqual([
        {
          action: 'relationship_ended',
          actor_role: 'admin',
          detail: { endedOn: '2026-01-15', reason: 'account_closed', retainUntil: '2031-01-16T00:00:00.000Z' },
        },
      ]);

      // Five years on (moved in the database rather than waiting), under a legal hold: kept.
      expect(await h.kyc.erasure.eraseRetentionOver()).toBe(0);
      await db.query("UPDATE kyc.applications SET retain_until = now() - interval '1 second' WHERE id = $1", [id]);
      const hold = h.url(`/api/v1/legal-holds/${customerId}`);
      expect((await request(hold, { method: 'PUT', body: { reason: 'court order 2031/7' }, token: admin })).status).toBe(200);
      expect(await h.kyc.erasure.eraseRetentionOver()).toBe(0);
      expect(await personalData(id)).toEqual({ applicants: 1, documents: 1 });
      expect((await request(hold, { method: 'DELETE', token: admin })).status).toBe(204);
      expect(await h.kyc.erasure.eraseRetentionOver()).toBe(1);
      expect(await personalData(id)).toEqual({ applicants: 0, documents: 0 });
      expect(await personalData(bystander)).toEqual({ applicants: 1, documents: 1 });
    }, 60_000);

    it('when anyone but an admin signals it, or with a forged token, a bad date, free text, extra fields, a huge body or an odd id, then refused and nothing changed', async () => {
      const customerId = `cust-${suffix()}`;
      const id = await approvedApplicationOf(customerId, "'2025-06-01T10:00:00Z'");
      const signal = { endedOn: '2026-01-15', reason: 'account_closed' };
      const admin = await token(`admin-${suffix()}`, 'admin');

      // The customer themself (for their own id or another's), a maker, a checker: 403.
      for (const [sub, role] of [
        [customerId, 'customer'],
        [`cust-${suffix()}`, 'customer'],
        [`maker-${suffix()}`, 'maker'],
        [`checker-${suffix()}`, 'checker'],
      ] as const)
        expect((await request(endOf(customerId), { body: signal, token: await token(sub, role) })).status).toBe(403);

      // An admin token signed by a key of the attacker's under the platform's kid; a customer's token with its role edited.
      const attacker = parseSigningKeys(newSigningKeys('test-1'))[0];
      if (!attacker) throw new Error('no attacker key');
      const [header, payload, signature] = (await token(customerId, 'customer')).split('.');
      const claims = JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()) as Record<string, unknown>;
      const edited = `${header}.${Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url')}.${signature}`;
      for (const forged of [signAccessToken({ sub: 'admin-x', role: 'admin' }, attacker), edited])
        expect((await request(endOf(customerId), { body: signal, token: forged })).status).toBe(401);
      expect((await request(endOf(customerId), { body: signal })).status).toBe(401);

      const invalid: unknown[] = [
        { endedOn: '2026-02-30', reason: 'account_closed' },
        { endedOn: '2999-01-01', reason: 'account_closed' },
        { endedOn: '15/01/2026', reason: 'account_closed' },
        { endedOn: '2026-01-15', reason: 'closed: Ravi Kumar, PAN ABCDE1234F' },
        { ...signal, customerId: `cust-${suffix()}` },
        ['2026-01-15'],
      ];
      for (const body of invalid) expect((await request(endOf(customerId), { body, token: admin })).status).toBe(422);
      // Past kyc's body limit (4 MB, for documents): 413 before any parsing.
      const huge = await request(endOf(customerId), { body: { ...signal, padding: 'x'.repeat(5 * 1024 * 1024) }, token: admin });
      expect(huge.status).toBe(413);
      expect((await request(endOf(customerId), { rawBody: '{"endedOn": ', token: admin })).status).toBe(400);
      expect((await request(endOf('cust%20x%27--'), { body: signal, token: admin })).status).toBe(422);
      expect(await retainUntil(id)).toBeNull();

      // A customer without applications: 404; one approved only after that day (a later relationship): 409.
      expect((await request(endOf(`cust-${suffix()}`), { body: signal, token: admin })).status).toBe(404);
      const laterCustomer = `cust-${suffix()}`;
      const later = await approvedApplicationOf(laterCustomer);
      const refused = await request(endOf(laterCustomer), { body: signal, token: admin });
      expect(refused.status).toBe(409);
      expect(refused.text).toContain('no approved application');
      expect(await retainUntil(later)).toBeNull();
      expect(
        await count("SELECT count(*) AS n FROM kyc.audit_trail WHERE application_id = $1 AND action = 'relationship_ended'", [id]),
      ).toBe(0);
    }, 60_000);
  });
});
