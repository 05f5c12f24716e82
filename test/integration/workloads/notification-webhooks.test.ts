// Outbound webhooks end to end against real PostgreSQL and Kafka (docs/customer-api.md, "Webhooks"): an
// admin registers a receiver (a local HTTP server that records what it gets), application events reach
// it signed, a receiver that fails twice gets the third try after the backoff, one that always fails
// leaves a dead letter, an admin sends dead deliveries again once the receiver works, and the documented
// verifier refuses a replay after the tolerance.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ContactKeyRing } from '../../../workloads/notification/data-access/contacts.js';
import { NOTIFICATION_SCHEMA } from '../../../workloads/notification/data-access/migrations.js';
import { WebhookRepository } from '../../../workloads/notification/data-access/webhooks.js';
import { verifyWebhook } from '../../../workloads/notification/domain/webhook-signature.js';
import { webhookPayload } from '../../../workloads/notification/domain/webhooks.js';
import { startNotification } from '../../../workloads/notification/main.js';
import type { RunningNotification } from '../../../workloads/notification/main.js';
import { createPool, newEvent } from '../../../workloads/shared/index.js';
import type { Pool } from '../../../workloads/shared/index.js';
import {
  captureLogs,
  createTestDatabase,
  eventServiceEnv,
  eventually,
  request,
  signToken,
  startOutboxPublisher,
  suffix,
} from './support.js';
import type { OutboxPublisher, TestDatabase } from './support.js';

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

const KEYS = `test:${randomBytes(32).toString('base64')}`;
const BASE_MS = 300;
const MAX_MS = 600;

describe('outbound webhooks', () => {
  const prefix = `test-${suffix()}.`;
  const logs = captureLogs('notification-webhooks', 'info');
  const received: Received[] = [];
  const failuresLeft: Record<string, number> = { '/flaky': 2, '/down': Number.POSITIVE_INFINITY, '/revived': 3 };
  let receiver: Server;
  let receiverUrl: string;
  let db: TestDatabase;
  let publisher: OutboxPublisher;
  let notification: RunningNotification;
  let pool: Pool;
  let admin: string;

  const at = (path: string) => received.filter((r) => r.path === path);
  async function register(path: string, eventTypes: string[]): Promise<{ id: string; secret: string }> {
    const answer = await request<{ id: string; secret: string }>(`${notification.url}/api/v1/notifications/webhooks`, {
      token: admin,
      body: { url: `${receiverUrl}${path}`, eventTypes },
    });
    expect(answer.status).toBe(201);
    return answer.body;
  }
  async function deliveries(webhookId: string) {
    const { rows } = await pool.query<{ event_id: string; status: string; attempts: number; last_status: number | null }>(
      `SELECT event_id, status, attempts, last_status FROM ${NOTIFICATION_SCHEMA}.webhook_deliveries WHERE webhook_id = $1 ORDER BY created_at`,
      [webhookId],
    );
    return rows;
  }

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      req.on('end', () => {
        const path = req.url ?? '';
        received.push({ path, headers: req.headers, body, at: Date.now() });
        const left = failuresLeft[path] ?? 0;
        failuresLeft[path] = left - 1;
        res.writeHead(left > 0 ? 500 : 204).end();
      });
    });
    await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
    receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;
    db = await createTestDatabase();
    notification = await startNotification({
      port: 0,
      host: '127.0.0.1',
      logger: logs.logger,
      env: {
        ...eventServiceEnv(db, prefix),
        NOTIFICATION_CHANNELS: 'email',
        NOTIFICATION_CONTACT_KEYS: KEYS,
        // The receiver is plain http on loopback: both allowed here, as on a development platform.
        NOTIFICATION_WEBHOOK_ALLOW_HTTP: 'true',
        NOTIFICATION_WEBHOOK_ALLOWED_NETWORKS: '127.0.0.0/8',
        NOTIFICATION_WEBHOOK_ATTEMPTS: '3',
        NOTIFICATION_WEBHOOK_RETRY_BASE_MS: String(BASE_MS),
        NOTIFICATION_WEBHOOK_RETRY_MAX_MS: String(MAX_MS),
        NOTIFICATION_WEBHOOK_POLL_MS: '50',
      },
    });
    publisher = await startOutboxPublisher(db, prefix, logs.logger);
    pool = createPool(db.url);
    admin = await signToken({ sub: `admin-${suffix()}`, role: 'admin' });
  }, 90_000);

  afterAll(async () => {
    await pool?.end();
    await publisher?.close();
    await notification?.close();
    await db?.drop();
    await new Promise((resolve) => receiver?.close(resolve));
  }, 90_000);

  it('when a registration is not an admin’s or its URL points inward, then it is refused; the list never shows a secret', async () => {
    const customer = await signToken({ sub: `user-${suffix()}`, role: 'customer' });
    const url = `${notification.url}/api/v1/notifications/webhooks`;
    expect((await request(url, { token: customer, body: { url: 'https://hooks.integrator.example/' } })).status).toBe(403);
    const inward = await request<{ field: string }>(url, { token: admin, body: { url: 'http://169.254.169.254/latest/meta-data/' } });
    expect(inward.status).toBe(422);
    expect(inward.body.field).toBe('url');
    const created = await register('/listed', ['kyc.application.expired']);
    expect(created.secret).toMatch(/^whsec_/);
    const list = await request<{ items: Array<Record<string, unknown>> }>(url, { token: admin });
    expect(list.body.items).toEqual([
      expect.objectContaining({ id: created.id, url: `${receiverUrl}/listed`, eventTypes: ['kyc.application.expired'] }),
    ]);
    expect(list.text).not.toContain(created.secret);
    const { rows } = await pool.query<{ sealed_secret: Buffer }>(
      `SELECT sealed_secret FROM ${NOTIFICATION_SCHEMA}.webhooks WHERE id = $1`,
      [created.id],
    );
    expect(rows[0]?.sealed_secret.toString('latin1')).not.toContain(created.secret.slice('whsec_'.length));
    expect((await request(`${url}/${created.id}`, { method: 'DELETE', token: admin })).status).toBe(204);
    expect((await request(`${url}/${created.id}`, { method: 'DELETE', token: admin })).status).toBe(404);
  }, 45_000);

  it('when an application is approved, then the receiver gets one signed delivery with its id and state, which the documented verifier accepts now and refuses replayed later', async () => {
    const hook = await register('/ok', ['kyc.application.approved']);
    const applicationId = `app-${suffix()}`;
    const owner = `user-${suffix()}`;
    const approved = newEvent('kyc.application.approved', applicationId, { applicationId, ownerId: owner }, 'checker-1');
    await publisher.publish(approved);
    await eventually(async () => ((await deliveries(hook.id))[0]?.status === 'delivered' ? true : undefined), 45_000);
    // Kafka delivers the event again (a crash before its offset was committed): nothing more is queued.
    const repository = new WebhookRepository(pool, new ContactKeyRing(KEYS));
    expect(await repository.enqueue(approved.id, approved.type, webhookPayload(approved) as string)).toBe(0);
    expect(await deliveries(hook.id)).toEqual([expect.objectContaining({ event_id: approved.id, status: 'delivered', attempts: 1 })]);

    const first = at('/ok')[0] as Received;
    const headers = first.headers as Record<string, string>;
    const nowSeconds = Math.floor(first.at / 1000);
    const id = verifyWebhook(hook.secret, headers, first.body, nowSeconds);
    expect(JSON.parse(first.body)).toEqual({
      type: 'kyc.application.approved',
      timestamp: expect.any(String),
      data: { applicationId, state: 'approved' },
    });
    expect(first.body).not.toContain(owner);
    expect(headers['content-type']).toBe('application/json');
    expect(() => verifyWebhook(hook.secret, headers, first.body, nowSeconds + 301)).toThrow('too old or too new');
    expect(() => verifyWebhook(hook.secret, headers, first.body.replace('approved"}', 'rejected"}'), nowSeconds)).toThrow(
      'no signature matches',
    );
    expect(at('/ok').map((r) => r.headers['webhook-id'])).toEqual([id]);
  }, 90_000);

  it('when the receiver answers 500 twice, then the third try after the backoff delivers it under the same webhook-id', async () => {
    const hook = await register('/flaky', ['kyc.application.rejected']);
    const applicationId = `app-${suffix()}`;
    await publisher.publish(
      newEvent('kyc.application.rejected', applicationId, { applicationId, ownerId: `user-${suffix()}` }, 'checker-1'),
    );
    await eventually(async () => ((await deliveries(hook.id))[0]?.status === 'delivered' ? true : undefined), 45_000);
    expect(await deliveries(hook.id)).toEqual([expect.objectContaining({ status: 'delivered', attempts: 3, last_status: 204 })]);
    const tries = at('/flaky');
    expect(tries).toHaveLength(3);
    expect(new Set(tries.map((t) => t.headers['webhook-id'])).size).toBe(1);
    // Equal jitter: at least half of each try's ceiling (300 ms, then 600 ms) passes before the next.
    expect((tries[1] as Received).at - (tries[0] as Received).at).toBeGreaterThanOrEqual(BASE_MS / 2);
    expect((tries[2] as Received).at - (tries[1] as Received).at).toBeGreaterThanOrEqual(MAX_MS / 2);
    for (const t of tries)
      expect(() => verifyWebhook(hook.secret, t.headers as Record<string, string>, t.body, Math.floor(t.at / 1000))).not.toThrow();
  }, 90_000);

  it('when the receiver always fails, then the delivery is dead after its tries and counted', async () => {
    const hook = await register('/down', ['kyc.application.cancelled']);
    const applicationId = `app-${suffix()}`;
    await publisher.publish(
      newEvent('kyc.application.cancelled', applicationId, { applicationId, ownerId: `user-${suffix()}` }, 'admin-1'),
    );
    await eventually(async () => ((await deliveries(hook.id))[0]?.status === 'dead' ? true : undefined), 45_000);
    expect(await deliveries(hook.id)).toEqual([expect.objectContaining({ status: 'dead', attempts: 3, last_status: null })]);
    expect(at('/down')).toHaveLength(3);
    const metrics = await notification.service.metrics.registry.metrics();
    expect(metrics).toMatch(/kyc_webhook_dead_letters_total\{[^}]*event_type="kyc.application.cancelled"[^}]*\} 1/);
    expect(logs.text()).toContain('webhook delivery dead-lettered');
  }, 90_000);

  it('when the receiver works again, then an admin sends its dead deliveries again under their first webhook-id; others may not, nor touch another webhook’s', async () => {
    const hook = await register('/revived', ['kyc.application.expired']);
    const other = await register('/down', ['kyc.application.expired']);
    const applicationId = `app-${suffix()}`;
    await publisher.publish(newEvent('kyc.application.expired', applicationId, { applicationId, ownerId: `user-${suffix()}` }, 'system'));
    // Three tries, three 500s: dead (and the other webhook's copy too, its receiver being down).
    await eventually(async () => ((await deliveries(hook.id))[0]?.status === 'dead' ? true : undefined), 45_000);
    await eventually(async () => ((await deliveries(other.id))[0]?.status === 'dead' ? true : undefined), 45_000);
    const api = (path: string) => `${notification.url}/api/v1/notifications/webhooks${path}`;

    const listed = await request<{ items: { id: string; eventType: string; attempts: number; lastError: string | null }[] }>(
      api(`/${hook.id}/dead-deliveries`),
      { token: admin },
    );
    expect(listed.status).toBe(200);
    expect(listed.body.items).toEqual([
      expect.objectContaining({ eventType: 'kyc.application.expired', attempts: 3, lastError: 'the receiver answered 500' }),
    ]);
    const deadId = listed.body.items[0]?.id as string;
    const otherDead = (await request<{ items: { id: string }[] }>(api(`/${other.id}/dead-deliveries`), { token: admin })).body.items[0]
      ?.id as string;

    // Not an admin: 403; a malformed list: 422; an unknown webhook: 404; another webhook's delivery: left alone.
    for (const role of ['customer', 'maker', 'checker'] as const) {
      const bearer = await signToken({ sub: `user-${suffix()}`, role });
      expect((await request(api(`/${hook.id}/redeliver`), { token: bearer, body: {} })).status).toBe(403);
      expect((await request(api(`/${hook.id}/dead-deliveries`), { token: bearer })).status).toBe(403);
    }
    for (const body of [{ deliveryIds: [] }, { deliveryIds: ["1' OR '1'='1"] }, { deliveryIds: [deadId], all: true }])
      expect((await request(api(`/${hook.id}/redeliver`), { token: admin, body })).status).toBe(422);
    expect((await request(api(`/${crypto.randomUUID()}/redeliver`), { token: admin, body: {} })).status).toBe(404);
    expect((await request(api('/not-a-uuid/dead-deliveries'), { token: admin })).status).toBe(404);
    const foreign = await request<{ deliveryIds: string[] }>(api(`/${hook.id}/redeliver`), {
      token: admin,
      body: { deliveryIds: [otherDead] },
    });
    expect(foreign.body).toEqual({ deliveryIds: [] });
    expect((await deliveries(other.id))[0]?.status).toBe('dead');

    // The receiver answers 204 from its fourth request on.
    const sent = await request<{ deliveryIds: string[] }>(api(`/${hook.id}/redeliver`), { token: admin, body: { deliveryIds: [deadId] } });
    expect(sent.status).toBe(202);
    expect(sent.body).toEqual({ deliveryIds: [deadId] });
    await eventually(async () => ((await deliveries(hook.id))[0]?.status === 'delivered' ? true : undefined), 45_000);
    expect(await deliveries(hook.id)).toEqual([expect.objectContaining({ status: 'delivered', attempts: 1, last_status: 204 })]);
    const tries = at('/revived');
    expect(tries).toHaveLength(4);
    expect(new Set(tries.map((t) => t.headers['webhook-id']))).toEqual(new Set([deadId]));
    expect(() =>
      verifyWebhook(hook.secret, tries[3]?.headers as Record<string, string>, tries[3]?.body ?? '', Math.floor((tries[3]?.at ?? 0) / 1000)),
    ).not.toThrow();
    // Nothing dead is left to send; a second call finds nothing.
    expect((await request(api(`/${hook.id}/redeliver`), { token: admin, body: {} })).body).toEqual({ deliveryIds: [] });
    expect((await request<{ items: unknown[] }>(api(`/${hook.id}/dead-deliveries`), { token: admin })).body.items).toEqual([]);
  }, 120_000);

  it('when an admin pings a webhook, then a signed webhook.ping reaches it', async () => {
    const hook = await register('/ping', ['kyc.application.expired']);
    const ping = await request<{ deliveryId: string }>(`${notification.url}/api/v1/notifications/webhooks/${hook.id}/ping`, {
      token: admin,
      method: 'POST',
    });
    expect(ping.status).toBe(202);
    const got = await eventually(() => at('/ping')[0], 45_000);
    expect(verifyWebhook(hook.secret, got.headers as Record<string, string>, got.body, Math.floor(got.at / 1000))).toBe(
      ping.body.deliveryId,
    );
    expect(JSON.parse(got.body)).toEqual({ type: 'webhook.ping', timestamp: expect.any(String), data: {} });
  }, 60_000);
});
