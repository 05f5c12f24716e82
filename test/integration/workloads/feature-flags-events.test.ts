// Notification and analytics follow their feature flags while they run (docs/api.md, "Feature flags"),
// against real Kafka and PostgreSQL: the flags are written to a live-settings file as the operator's
// ConfigMap would be. notifications-sms off: the SMS is not sent and is recorded as suppressed, e-mail
// still goes. analytics-ingestion off: the consumer pauses, the events wait in Kafka and are counted
// once it is back on.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startAnalytics } from '../../../workloads/analytics/main.js';
import type { RunningAnalytics } from '../../../workloads/analytics/main.js';
import { startNotification } from '../../../workloads/notification/main.js';
import type { RunningNotification } from '../../../workloads/notification/main.js';
import { newEvent } from '../../../workloads/shared/index.js';
import {
  captureLogs,
  createTestDatabase,
  eventServiceEnv,
  eventually,
  liveSettingsFile,
  request,
  signToken,
  startOutboxPublisher,
  suffix,
} from './support.js';
import type { LiveSettingsFile, OutboxPublisher, TestDatabase } from './support.js';

describe('notification and analytics feature flags', () => {
  const prefix = `test-${suffix()}.`;
  const logs = captureLogs('feature-flags', 'warn');
  let live: LiveSettingsFile;
  let db: TestDatabase;
  let publisher: OutboxPublisher;
  let notification: RunningNotification;
  let analytics: RunningAnalytics;

  const setFlags = (featureFlags: Record<string, boolean>) => live.write({ featureFlags });

  beforeAll(async () => {
    live = await liveSettingsFile('kyc-live-');
    await setFlags({});
    db = await createTestDatabase();
    const env = { ...eventServiceEnv(db, prefix), LIVE_SETTINGS_FILE: live.path };
    const options = { port: 0, host: '127.0.0.1', logger: logs.logger, env, liveSettingsIntervalMs: 100 };
    const started = await Promise.allSettled([
      startNotification(options).then((running) => (notification = running)),
      startAnalytics(options).then((running) => (analytics = running)),
    ]);
    for (const outcome of started) if (outcome.status === 'rejected') throw outcome.reason;
    await Promise.all([notification.consumer.joined, analytics.consumer.joined]);
    publisher = await startOutboxPublisher(db, prefix, logs.logger);
  }, 90_000);

  afterAll(async () => {
    await publisher?.close();
    await notification?.close();
    await analytics?.close();
    await db?.drop();
    await live?.remove();
  }, 60_000);

  it('when notifications-sms is switched off, then no SMS goes out, it is recorded as suppressed and counted so, and e-mail still goes', async () => {
    await setFlags({ 'notifications-sms': false });
    await new Promise((resolve) => setTimeout(resolve, 400));
    const owner = `user-${suffix()}`;
    const applicationId = `app-${suffix()}`;
    await publisher.publish(newEvent('kyc.application.approved', applicationId, { applicationId, ownerId: owner }, 'checker-1'));

    const customer = await signToken({ sub: owner, role: 'customer' });
    const items = await eventually(async () => {
      const list = await request<{ items: Array<{ channel: string; status: string }> }>(`${notification.url}/api/v1/notifications`, {
        token: customer,
      });
      const done = list.body.items.filter((i) => i.status !== 'requested');
      return done.length >= 2 ? done : undefined;
    }, 30_000);
    expect(items.map((i) => `${i.channel}:${i.status}`).sort()).toEqual(['email:sent', 'sms:suppressed']);
    const [email, sms] = ['email', 'sms'].map((channel) => notification.providers.find((p) => p.channel === channel));
    expect(email?.sent.filter((m) => m.userId === owner)).toHaveLength(1);
    expect(sms?.attempts).toBe(0);
    const metrics = await fetch(`${notification.metricsUrl}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/kyc_notifications_total\{[^}]*channel="sms"[^}]*outcome="suppressed"[^}]*\} 1/);

    // Back on, the next message goes out by SMS too.
    await setFlags({});
    await new Promise((resolve) => setTimeout(resolve, 400));
    const next = `app-${suffix()}`;
    await publisher.publish(newEvent('kyc.application.approved', next, { applicationId: next, ownerId: owner }, 'checker-1'));
    await eventually(() => (sms?.sent.some((m) => m.userId === owner) ? true : undefined), 30_000);
  }, 60_000);

  it('when analytics-ingestion is switched off, then the analytics consumer pauses and counts nothing, and back on it counts what waited in Kafka', async () => {
    const admin = await signToken({ sub: 'admin-1', role: 'admin' });
    const expiredCount = async (): Promise<number> => {
      const res = await request<{ totals: Record<string, number> }>(`${analytics.url}/api/v1/analytics/summary?days=7`, { token: admin });
      return res.body.totals?.['kyc.application.expired'] ?? 0;
    };
    await setFlags({ 'analytics-ingestion': false });
    await eventually(() => (analytics.consumer.isPaused() ? true : undefined), 5_000);

    const events = [1, 2, 3].map(() => {
      const id = `app-${suffix()}`;
      return newEvent('kyc.application.expired', id, { applicationId: id, ownerId: `user-${suffix()}` }, 'system');
    });
    await publisher.publish(...events);
    // The relay has handed them to Kafka; the paused consumer leaves them there.
    await eventually(async () => ((await publisher.relay.pending()) === 0 ? true : undefined), 10_000);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(await expiredCount()).toBe(0);

    await setFlags({});
    expect(await eventually(async () => ((await expiredCount()) === 3 ? 3 : undefined), 30_000)).toBe(3);
    expect(analytics.consumer.isPaused()).toBe(false);
  }, 60_000);
});
