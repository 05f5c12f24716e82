// Notification and analytics against real Kafka and PostgreSQL: events go in through the shared
// transactional outbox (as the kyc service publishes them); notifications and aggregates come out.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startAnalytics } from '../../../workloads/analytics/main.js';
import type { RunningAnalytics } from '../../../workloads/analytics/main.js';
import { startNotification } from '../../../workloads/notification/main.js';
import type { RunningNotification } from '../../../workloads/notification/main.js';
import { newEvent } from '../../../workloads/shared/index.js';
import type { EventEnvelope } from '../../../workloads/shared/index.js';
import {
  captureLogs,
  EventCollector,
  createTestDatabase,
  eventServiceEnv,
  eventually,
  request,
  signToken,
  startOutboxPublisher,
  suffix,
} from './support.js';
import type { OutboxPublisher, TestDatabase } from './support.js';

describe('notification and analytics', () => {
  const prefix = `test-${suffix()}.`;
  const logs = captureLogs('events', 'warn');
  let db: TestDatabase;
  let publisher: OutboxPublisher;
  let notification: RunningNotification;
  let analytics: RunningAnalytics;
  let collector: EventCollector;

  beforeAll(async () => {
    db = await createTestDatabase();
    const env = eventServiceEnv(db, prefix);
    // Both start at once; whichever started is kept for afterAll to close even if the other failed.
    const started = await Promise.allSettled([
      startNotification({ port: 0, host: '127.0.0.1', logger: logs.logger, env: { ...env, NOTIFICATION_FAIL_CHANNELS: 'sms' } }).then(
        (running) => (notification = running),
      ),
      startAnalytics({ port: 0, host: '127.0.0.1', logger: logs.logger, env }).then((running) => (analytics = running)),
    ]);
    for (const outcome of started) if (outcome.status === 'rejected') throw outcome.reason;
    publisher = await startOutboxPublisher(db, prefix, logs.logger);
    collector = new EventCollector(prefix, ['kyc', 'notification']);
    await collector.start();
  }, 90_000);

  afterAll(async () => {
    await collector?.stop();
    await publisher?.close();
    await notification?.close();
    await analytics?.close();
    await db?.drop();
  }, 60_000);

  const owner = `user-${suffix()}`;
  const applicationId = `app-${suffix()}`;
  const lifecycle = [
    newEvent('kyc.application.created', applicationId, { applicationId, ownerId: owner }, owner),
    newEvent('kyc.application.submitted', applicationId, { applicationId, ownerId: owner }, owner),
    newEvent('kyc.application.processing_started', applicationId, { applicationId, ownerId: owner }, 'system'),
    newEvent('kyc.application.approved', applicationId, { applicationId, ownerId: owner }, 'checker-1'),
  ];

  it('when events are written to the outbox, then they reach Kafka in order, once, and the rows are marked sent', async () => {
    await publisher.publish(...lifecycle);
    const ours = await eventually(() => {
      const list = collector.events.filter((e) => e.subject === applicationId);
      return list.length >= lifecycle.length ? list : undefined;
    }, 30_000);
    expect(ours.map((e) => e.id)).toEqual(lifecycle.map((e) => e.id));
    expect(ours.every((e) => e.topic === `${prefix}kyc.events`)).toBe(true);
    // The relay marks rows sent after Kafka acknowledged them, which may be just after a consumer saw them.
    expect(await eventually(async () => ((await publisher.relay.pending()) === 0 ? 0 : undefined), 10_000)).toBe(0);
  }, 40_000);

  it('when an application is submitted and approved, then the owner is notified by email, the failing sms channel records a failure, and the notification events are published', async () => {
    const email = notification.providers.find((p) => p.channel === 'email');
    const sent = await eventually(() => {
      const mine = email?.sent.filter((m) => m.userId === owner) ?? [];
      return mine.length >= 2 ? mine : undefined;
    }, 30_000);
    expect(sent.map((m) => m.template).sort()).toEqual(['application_approved', 'application_received']);
    const events = await eventually(() => {
      const list = collector.events.filter((e) => e.topic === `${prefix}notification.events` && e.data.userId === owner);
      return list.length >= 8 ? list : undefined;
    }, 30_000);
    const byType = (type: string): number => events.filter((e) => e.type === type).length;
    expect([byType('notification.requested'), byType('notification.sent'), byType('notification.failed')]).toEqual([4, 2, 2]);
    const customer = await signToken({ sub: owner, role: 'customer' });
    const list = await request<{ items: Array<{ channel: string; status: string }> }>(`${notification.url}/api/v1/notifications`, {
      token: customer,
    });
    expect(list.body.items.map((i) => `${i.channel}:${i.status}`).sort()).toEqual(['email:sent', 'email:sent', 'sms:failed', 'sms:failed']);
    const stranger = await signToken({ sub: 'someone-else', role: 'customer' });
    expect((await request<{ items: unknown[] }>(`${notification.url}/api/v1/notifications`, { token: stranger })).body.items).toEqual([]);
    expect((await request(`${notification.url}/api/v1/notifications`)).status).toBe(401);
  }, 40_000);

  it('when Kafka delivers an event twice or a malformed message arrives, then it is counted and notified once and consumption goes on', async () => {
    const duplicate = lifecycle[3] as EventEnvelope;
    await publisher.producer.send({
      topic: `${prefix}kyc.events`,
      messages: [
        { key: applicationId, value: 'not json at all' },
        { key: applicationId, value: JSON.stringify(duplicate) },
      ],
    });
    const marker = newEvent('kyc.application.cancelled', `app-${suffix()}`, { ownerId: owner }, owner);
    await publisher.publish(marker);
    const admin = await signToken({ sub: 'admin-1', role: 'admin' });
    const summary = await eventually(async () => {
      const res = await request<{ totals: Record<string, number>; turnaround: { decisions: number; averageSeconds: number } }>(
        `${analytics.url}/api/v1/analytics/summary?days=7`,
        { token: admin },
      );
      return res.body.totals?.['kyc.application.cancelled'] === 1 ? res.body : undefined;
    }, 30_000);
    expect(summary.totals).toMatchObject({ 'kyc.application.created': 1, 'kyc.application.submitted': 1, 'kyc.application.approved': 1 });
    // The approval is timed from the submission (both written within a second here); the cancelled marker was never submitted.
    expect(summary.turnaround.decisions).toBe(1);
    expect(summary.turnaround.averageSeconds).toBeLessThan(5);
    await eventually(
      () => (notification.providers[0]?.sent.some((m) => m.template === 'application_cancelled') ? true : undefined),
      30_000,
    );
    expect(notification.providers[0]?.sent.filter((m) => m.template === 'application_approved' && m.userId === owner)).toHaveLength(1);
    const metrics = await fetch(`${analytics.metricsUrl}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/kyc_consumer_messages_total\{[^}]*outcome="malformed"[^}]*\} 1/);
  }, 40_000);

  it('the analytics summary is for admins only and rejects bad queries naming the parameter', async () => {
    const customer = await signToken({ sub: owner, role: 'customer' });
    const admin = await signToken({ sub: 'admin-1', role: 'admin' });
    expect((await request(`${analytics.url}/api/v1/analytics/summary`)).status).toBe(401);
    expect((await request(`${analytics.url}/api/v1/analytics/summary`, { token: customer })).status).toBe(403);
    const bad = await request(`${analytics.url}/api/v1/analytics/summary?days=0`, { token: admin });
    expect([bad.status, bad.body.field]).toEqual([422, 'query.days']);
  });

  it('both services answer /health on the metrics port in the fixed format {message, checks: {database, cache, externalAPIs}}, and 404 for /health and /metrics on the API port', async () => {
    for (const { url, metricsUrl } of [notification, analytics]) {
      const health = await request(`${metricsUrl}/health`);
      expect(health.status).toBe(200);
      expect(health.body).toMatchObject({ message: 'OK', checks: { database: 'OK', cache: 'OK', externalAPIs: 'OK' } });
      expect((await request(`${url}/ready`)).status).toBe(200);
      // The monitoring endpoints are on the metrics port only.
      for (const path of ['/health', '/metrics']) expect((await request(`${url}${path}`)).status).toBe(404);
    }
  });

  it('both services refuse a deeply nested JSON body with 400 and an oversized one with 413, never a 5xx', async () => {
    for (const { url } of [notification, analytics]) {
      for (const headers of [{}, { 'idempotency-key': `deep-${suffix()}` }] as Array<Record<string, string>>) {
        const deep = await request(`${url}/api/v1/notifications`, { rawBody: `${'['.repeat(200_000)}${']'.repeat(200_000)}`, headers });
        expect([deep.status, deep.body.type]).toEqual([400, 'https://kyc.dev/problems/json-too-deep']);
      }
      const big = await request(`${url}/api/v1/notifications`, { rawBody: JSON.stringify({ text: 'x'.repeat(1_100_000) }) });
      expect([big.status, big.body.field]).toEqual([413, 'body']);
      expect((await request(`${url}/ready`)).status).toBe(200);
    }
  });
});
