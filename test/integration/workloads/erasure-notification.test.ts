// An erasure request reaches the notification service (docs/retention.md, "Notification"): kyc and
// notification in-process on one private database and topic prefix (the kyc harness's), real PostgreSQL
// and Kafka. The request's customer.erasure.requested makes notification delete the customer's contacts
// and pseudonymise their message log; its notification.erasure.completed comes back and the request's
// answer shows the notification part, audited without data. Another customer's rows are untouched. The
// message log's retention clock, moved a year on, deletes what is due and passes by a customer under the
// legal hold an admin placed in kyc (announced to notification by event), and records the run. Core banking's
// customer.relationship.ended on its own topic puts the customer's approved application on the retention clock.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { PgMessageLogRetention } from '../../../workloads/notification/data-access/retention.js';
import { MessageLogRetention } from '../../../workloads/notification/domain/retention.js';
import { startNotification } from '../../../workloads/notification/main.js';
import { createKafka, createPool, createProducer } from '../../../workloads/shared/index.js';
import { coreBankingTopic } from '../../../workloads/kyc/entry-points/relationship-events.js';
import type { RunningNotification } from '../../../workloads/notification/main.js';
import { CONSENT, startKycHarness, token } from './kyc-support.js';
import type { KycHarness } from './kyc-support.js';
import { eventServiceEnv, eventually, request, requireEnv, suffix } from './support.js';
import { randomBytes, randomUUID } from 'node:crypto';

interface ErasureView {
  id: string;
  state: string;
  services: Record<string, { state: string; completedAt?: string; erased?: string[]; kept?: { record: string; reason: string }[] }>;
}

describe('erasure across kyc and notification', () => {
  let h: KycHarness;
  let notification: RunningNotification;
  let db: pg.Client;
  const count = async (sql: string, values: unknown[]): Promise<number> => Number((await db.query<{ n: string }>(sql, values)).rows[0]?.n);

  beforeAll(async () => {
    h = await startKycHarness();
    notification = await startNotification({
      port: 0,
      host: '127.0.0.1',
      logger: h.logs.logger,
      env: { ...eventServiceEnv(h.db, h.topicPrefix), NOTIFICATION_CONTACT_KEYS: `c1:${randomBytes(32).toString('base64')}` },
    });
    db = new pg.Client({ connectionString: h.db.url });
    await db.connect();
  }, 90_000);

  afterAll(async () => {
    await db?.end();
    await notification?.close();
    await h?.close();
  }, 60_000);

  /** A customer with contacts on both channels and a cancelled application they were told about. */
  async function customerWithMessages(): Promise<{ id: string; token: string; applicationId: string }> {
    const id = `cust-${suffix()}`;
    const bearer = await token(id, 'customer');
    const contact = { email: `${id}@example.test`, phone: '+919812345678' };
    expect(
      (await request(`${notification.url}/api/v1/notifications/contact`, { method: 'PUT', token: bearer, body: contact })).status,
    ).toBe(204);
    const draft = await request<{ id: string }>(h.url('/api/v1/applications'), { body: CONSENT, token: bearer });
    expect((await request(h.url(`/api/v1/applications/${draft.body.id}/cancel`), { method: 'POST', token: bearer })).status).toBe(200);
    // The cancellation's message on both channels, recorded under the customer's id.
    await eventually(
      async () => ((await count('SELECT count(*) AS n FROM notification.notifications WHERE user_id = $1', [id])) === 2 ? true : undefined),
      30_000,
    );
    return { id, token: bearer, applicationId: draft.body.id };
  }

  it('when a customer asks for erasure, then notification deletes their contacts, pseudonymises their messages, and the answer shows it, audited without data', async () => {
    const customer = await customerWithMessages();
    const bystander = await customerWithMessages();
    expect(await count('SELECT count(*) AS n FROM notification.contacts WHERE user_id = $1', [customer.id])).toBe(2);

    const asked = await request<ErasureView>(h.url('/api/v1/erasure-requests'), { body: {}, token: customer.token });
    expect(asked.status).toBe(201);
    expect(asked.body).toMatchObject({ state: 'completed', services: { notification: { state: 'pending' } } });

    const answered = await eventually(async () => {
      const read = await request<ErasureView>(h.url(`/api/v1/erasure-requests/${asked.body.id}`), { token: customer.token });
      return read.body.services.notification?.state === 'completed' ? read.body : undefined;
    }, 60_000);
    expect(answered.services.notification).toEqual({
      state: 'completed',
      completedAt: expect.any(String),
      erased: ['contacts'],
      kept: [
        { record: 'message_log', reason: expect.stringContaining('without the customer id') },
        { record: 'dead_letters', reason: expect.stringContaining('without the customer id') },
      ],
    });

    // The rows: the customer's contacts gone, their messages kept under no one's id and marked.
    expect(await count('SELECT count(*) AS n FROM notification.contacts WHERE user_id = $1', [customer.id])).toBe(0);
    expect(await count('SELECT count(*) AS n FROM notification.notifications WHERE user_id = $1', [customer.id])).toBe(0);
    expect(await count(`SELECT count(*) AS n FROM notification.notifications WHERE user_id = 'erased' AND erased_at IS NOT NULL`, [])).toBe(
      2,
    );
    expect(await count('SELECT count(*) AS n FROM notification.erasures WHERE request_id = $1', [asked.body.id])).toBe(1);
    // The other customer keeps everything.
    expect(await count('SELECT count(*) AS n FROM notification.contacts WHERE user_id = $1', [bystander.id])).toBe(2);
    expect(await count('SELECT count(*) AS n FROM notification.notifications WHERE user_id = $1', [bystander.id])).toBe(2);

    // The audit trail: the request and notification's outcome, by record class, without the contacts.
    const trail = (
      await db.query<{ action: string; detail: unknown }>(
        'SELECT action, detail FROM kyc.audit_trail WHERE application_id = $1 ORDER BY id',
        [customer.applicationId],
      )
    ).rows;
    expect(trail.slice(-2)).toEqual([
      { action: 'personal_data_erased', detail: { erasureRequestId: asked.body.id } },
      {
        action: 'personal_data_erased_by_notification',
        detail: { erasureRequestId: asked.body.id, erased: ['contacts'], kept: answered.services.notification?.kept },
      },
    ]);
    expect(JSON.stringify(trail)).not.toContain('@example.test');
    expect(JSON.stringify(trail)).not.toContain('9812345678');
  }, 120_000);

  it('when the retention clock is moved past the message log retention, then due rows go, a held customer’s stay, and the run is recorded', async () => {
    const held = await customerWithMessages();
    const admin = await token(`admin-${suffix()}`, 'admin');
    const placed = await request(h.url(`/api/v1/legal-holds/${held.id}`), {
      method: 'PUT',
      body: { reason: 'court order 7' },
      token: admin,
    });
    expect(placed.status).toBe(200);
    // The hold reaches notification through customer.legal_hold.placed; the reason stays in kyc.
    await eventually(
      async () =>
        (await count('SELECT count(*) AS n FROM notification.legal_holds WHERE user_id = $1', [held.id])) === 1 ? true : undefined,
      30_000,
    );

    const total = await count(`SELECT count(*) AS n FROM notification.notifications WHERE status <> 'requested'`, []);
    const heldRows = await count('SELECT count(*) AS n FROM notification.notifications WHERE user_id = $1', [held.id]);
    expect(heldRows).toBe(2);
    const pool = createPool(h.db.url, { max: 1 });
    try {
      const store = new PgMessageLogRetention(pool);
      // Today nothing is due; a year and a day on, everything but the held customer's rows is.
      expect(await new MessageLogRetention(store, 365).run()).toMatchObject({ messages: 0, deadLetters: 0, held: 0 });
      const later = new Date(Date.now() + 366 * 86_400_000);
      const run = await new MessageLogRetention(store, 365, () => later).run();
      expect(run).toMatchObject({ messages: total - heldRows, deadLetters: 0, held: heldRows });
    } finally {
      await pool.end();
    }
    expect(await count('SELECT count(*) AS n FROM notification.notifications', [])).toBe(heldRows);
    expect(await count('SELECT count(*) AS n FROM notification.notifications WHERE user_id = $1', [held.id])).toBe(heldRows);
    const runs = (
      await db.query<{ messages_deleted: number; held: number }>('SELECT messages_deleted, held FROM notification.retention_runs')
    ).rows;
    expect(runs).toEqual([{ messages_deleted: total - heldRows, held: heldRows }]);

    // Released: the hold leaves notification too, and the next run takes the rows.
    expect((await request(h.url(`/api/v1/legal-holds/${held.id}`), { method: 'DELETE', token: admin })).status).toBe(204);
    await eventually(
      async () => ((await count('SELECT count(*) AS n FROM notification.legal_holds', [])) === 0 ? true : undefined),
      30_000,
    );
  }, 120_000);

  it('when core banking publishes customer.relationship.ended on core-banking.events, then kyc keeps the approved application five years after that day, once, audited with the event id', async () => {
    const customerId = `cust-${suffix()}`;
    const draft = await request<{ id: string }>(h.url('/api/v1/applications'), {
      body: CONSENT,
      token: await token(customerId, 'customer'),
    });
    for (const state of ['submitted', 'processing', 'pending_review', 'pending_approval', 'approved'])
      await db.query(
        "UPDATE kyc.applications SET state = $2, maker_id = 'maker-1', checker_id = 'checker-1', decided_at = '2025-06-01T10:00:00Z' WHERE id = $1",
        [draft.body.id, state],
      );
    const producer = await createProducer(createKafka([requireEnv('KAFKA_BROKERS')], 'core-banking-test', h.logs.logger));
    const event = {
      id: randomUUID(),
      type: 'customer.relationship.ended',
      subject: customerId,
      occurredAt: new Date().toISOString(),
      actor: 'core-banking',
      data: { customerId, endedOn: '2026-01-15', reason: 'account_closed' },
    };
    try {
      // Twice, as a producer's retry would: the second changes nothing.
      for (let i = 0; i < 2; i++)
        await producer.send({ topic: coreBankingTopic(h.topicPrefix), messages: [{ key: customerId, value: JSON.stringify(event) }] });
    } finally {
      await producer.disconnect();
    }
    const until = await eventually(async () => {
      const row = (
        await db.query<{ retain_until: Date | null }>('SELECT retain_until FROM kyc.applications WHERE id = $1', [draft.body.id])
      ).rows[0];
      return row?.retain_until ?? undefined;
    }, 60_000);
    expect(until).toEqual(new Date('2031-01-16T00:00:00Z'));
    const audited = async () =>
      (
        await db.query<{ actor_id: string; actor_role: string; request_id: string | null }>(
          "SELECT actor_id, actor_role, request_id FROM kyc.audit_trail WHERE application_id = $1 AND action = 'relationship_ended'",
          [draft.body.id],
        )
      ).rows;
    expect(await audited()).toEqual([{ actor_id: 'core-banking', actor_role: 'system', request_id: event.id }]);
    // The redelivered copy has been handled once the consumer's log says so twice.
    const handled = () =>
      h.logs
        .text()
        .split('\n')
        .filter((line) => line.includes(event.id) && line.includes('retention clock')).length;
    await eventually(() => (handled() >= 2 ? true : undefined), 30_000);
    expect(await audited()).toHaveLength(1);
  }, 120_000);
});
