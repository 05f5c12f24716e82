// Analytics while its PostgreSQL is away, against real Kafka and PostgreSQL: events that arrive during
// the outage wait in Kafka and are counted once the database is back, each exactly once. A consumer that
// gave up after a few quick attempts would skip them and lose them for good (docs/workloads.md, "Analytics").
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startAnalytics } from '../../../workloads/analytics/main.js';
import type { RunningAnalytics } from '../../../workloads/analytics/main.js';
import { newEvent } from '../../../workloads/shared/index.js';
import { captureLogs, createTestDatabase, eventServiceEnv, eventually, startOutboxPublisher, suffix } from './support.js';
import type { OutboxPublisher, TestDatabase } from './support.js';
import { TcpProxy } from './tcp-proxy.js';

describe('analytics: a PostgreSQL outage', () => {
  const prefix = `test-${suffix()}.`;
  const logs = captureLogs('analytics', 'warn');
  let db: TestDatabase;
  let proxy: TcpProxy;
  let publisher: OutboxPublisher;
  let analytics: RunningAnalytics;

  beforeAll(async () => {
    db = await createTestDatabase();
    const proxied = await TcpProxy.inFrontOf(db.url);
    proxy = proxied.proxy;
    const env = { ...eventServiceEnv(db, prefix), DATABASE_URL: proxied.url };
    analytics = await startAnalytics({ port: 0, host: '127.0.0.1', logger: logs.logger, env });
    // Straight to the database, not through the proxy: the test's view stays up during the outage.
    publisher = await startOutboxPublisher(db, prefix, logs.logger);
  }, 90_000);

  afterAll(async () => {
    await publisher?.close();
    await analytics?.close();
    await proxy?.stop();
    await db?.drop();
  }, 60_000);

  const seen = async (ids: string[]): Promise<number> =>
    Number(
      (await publisher.pool.query<{ n: string }>('SELECT count(*) AS n FROM analytics.events_seen WHERE event_id = ANY($1::uuid[])', [ids]))
        .rows[0]?.n,
    );

  it('when events arrive while the database is unreachable for longer than the consumer retries quickly, then every one is counted once it is back', async () => {
    const before = newEvent('kyc.application.created', `app-${suffix()}`, {}, 'system');
    await publisher.publish(before);
    await eventually(async () => ((await seen([before.id])) === 1 ? true : undefined), 30_000);

    await proxy.stop();
    const during = Array.from({ length: 6 }, (_, i) => newEvent('kyc.application.created', `app-${i}-${suffix()}`, {}, 'system'));
    await publisher.publish(...during);
    // The consumer has met the outage; then well past the quick attempts an event's own fault gets (3, 100 + 200 ms apart).
    await eventually(() => Promise.resolve(logs.text().includes('event handling failed') ? true : undefined), 30_000);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect(await seen(during.map((event) => event.id))).toBe(0);

    await proxy.start();
    const ids = during.map((event) => event.id);
    await eventually(async () => ((await seen(ids)) === ids.length ? true : undefined), 60_000);
    const counts = await publisher.pool.query<{ count: number }>(
      `SELECT count FROM analytics.daily_event_counts WHERE event_type = 'kyc.application.created'`,
    );
    expect(counts.rows.reduce((sum, row) => sum + Number(row.count), 0)).toBe(1 + ids.length);
    expect(logs.text()).not.toContain('event handling failed; skipped');
  }, 120_000);
});
