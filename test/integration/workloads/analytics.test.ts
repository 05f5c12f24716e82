// Analytics against real Kafka and PostgreSQL (docs/workloads.md, "Analytics"): a designed set of
// application lifecycles goes in through the shared transactional outbox, with their own times; the
// summary's funnel, percentiles, rates and SLA breaches come out exactly; events_seen is pruned past the
// redelivery horizon and nothing younger.
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { AggregateRepository } from '../../../workloads/analytics/data-access/aggregates.js';
import { startAnalytics } from '../../../workloads/analytics/main.js';
import { migrateComponent } from '../../../workloads/migrate.js';
import type { RunningAnalytics } from '../../../workloads/analytics/main.js';
import { createPool, newEvent } from '../../../workloads/shared/index.js';
import type { EventEnvelope, EventType } from '../../../workloads/shared/index.js';
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

interface Summary {
  totals: Record<string, number>;
  funnel: Record<string, unknown>;
  decisions: { decisions: number } & Record<string, unknown>;
  turnaround: { decisions: number; averageSeconds: number };
}

describe('analytics: funnel, turnaround percentiles, resubmissions and SLA breaches', () => {
  const prefix = `test-${suffix()}.`;
  const logs = captureLogs('analytics', 'warn');
  let db: TestDatabase;
  let publisher: OutboxPublisher;
  let analytics: RunningAnalytics;

  beforeAll(async () => {
    db = await createTestDatabase();
    const env = { ...eventServiceEnv(db, prefix), ANALYTICS_DECISION_SLA_HOURS: '24', ANALYTICS_SEEN_HORIZON_DAYS: '30' };
    analytics = await startAnalytics({ port: 0, host: '127.0.0.1', logger: logs.logger, env });
    publisher = await startOutboxPublisher(db, prefix, logs.logger);
  }, 90_000);

  afterAll(async () => {
    await publisher?.close();
    await analytics?.close();
    await db?.drop();
  }, 60_000);

  // Days before today (UTC): all inside a 7-day window even if the date changes during the run.
  const today = new Date(new Date().toISOString().slice(0, 10));
  const day = (daysAgo: number) => new Date(today.getTime() - daysAgo * 86_400_000).toISOString().slice(0, 10);
  const at = (daysAgo: number, time: string) => `${day(daysAgo)}T${time}:00.000Z`;
  const event = (type: EventType, subject: string, occurredAt: string): EventEnvelope => ({
    ...newEvent(type, subject, { applicationId: subject }, 'system'),
    occurredAt,
  });
  const id = (name: string) => `${name}-${suffix()}`;
  const [a, b, c, d, e, f] = ['a', 'b', 'c', 'd', 'e', 'f'].map(id) as [string, string, string, string, string, string];
  const lifecycles: EventEnvelope[][] = [
    // Approved an hour after its submission.
    [
      event('kyc.application.created', a, at(3, '08:00')),
      event('kyc.application.submitted', a, at(3, '09:00')),
      event('kyc.application.approved', a, at(3, '10:00')),
    ],
    // Asked to resubmit, resubmitted, approved 30 hours after its first submission: past the 24-hour SLA.
    [
      event('kyc.application.created', b, at(3, '08:00')),
      event('kyc.application.submitted', b, at(3, '09:00')),
      event('kyc.application.resubmission_requested', b, at(3, '12:00')),
      event('kyc.application.submitted', b, at(3, '13:00')),
      event('kyc.application.approved', b, at(2, '15:00')),
    ],
    // Rejected after two hours, and after half an hour.
    [
      event('kyc.application.created', c, at(3, '08:30')),
      event('kyc.application.submitted', c, at(3, '09:00')),
      event('kyc.application.rejected', c, at(3, '11:00')),
    ],
    [
      event('kyc.application.created', d, at(2, '08:00')),
      event('kyc.application.submitted', d, at(2, '08:00')),
      event('kyc.application.rejected', d, at(2, '08:30')),
    ],
    // Started, never submitted.
    [event('kyc.application.created', e, at(2, '10:00'))],
    // Submitted five days ago and still undecided: waiting past the SLA now.
    [event('kyc.application.created', f, at(5, '07:00')), event('kyc.application.submitted', f, at(5, '07:30'))],
  ];
  const events = lifecycles.flat();

  it('when lifecycles are published (one decision twice), then the summary gives the funnel, p50/p90, the rates and the SLA breaches exactly', async () => {
    await publisher.publish(...events);
    const admin = await signToken({ sub: 'admin-1', role: 'admin' });
    const read = async () => (await request<Summary>(`${analytics.url}/api/v1/analytics/summary?days=7`, { token: admin })).body;
    await eventually(async () => {
      const body = await read();
      const counted = Object.values(body.totals ?? {}).reduce((sum, n) => sum + n, 0);
      return counted >= events.length && body.decisions?.decisions === 4 ? true : undefined;
    }, 60_000);
    // Then Kafka delivers B's approval again (the outbox never would), followed on its partition by a marker.
    const again = lifecycles[1]?.[4] as EventEnvelope;
    const marker = event('kyc.document.uploaded', b, at(2, '16:00'));
    await publisher.producer.send({
      topic: `${prefix}kyc.events`,
      messages: [again, marker].map((message) => ({ key: b, value: JSON.stringify(message) })),
    });
    // The summary's queries run side by side, not in one snapshot: once the marker is in, the next read sees it all.
    await eventually(async () => ((await read()).totals?.['kyc.document.uploaded'] === 1 ? true : undefined), 30_000);
    const summary = await read();
    expect(summary.totals).toEqual({
      'kyc.application.created': 6,
      'kyc.application.submitted': 6,
      'kyc.application.resubmission_requested': 1,
      'kyc.application.approved': 2,
      'kyc.application.rejected': 2,
      'kyc.document.uploaded': 1,
    });
    expect(summary.funnel).toEqual({
      started: 6,
      submitted: 5,
      approved: 2,
      rejected: 2,
      approvalRate: 0.5,
      byDay: [
        { day: day(5), started: 1, submitted: 1, approved: 0, rejected: 0 },
        { day: day(3), started: 3, submitted: 3, approved: 1, rejected: 1 },
        { day: day(2), started: 2, submitted: 1, approved: 1, rejected: 1 },
      ],
    });
    // Turnarounds 1800, 3600, 7200 and 108000 s: the nearest-rank p50 is the second, p90 the fourth.
    expect(summary.decisions).toEqual({
      slaHours: 24,
      decisions: 4,
      p50Seconds: 3600,
      p90Seconds: 108_000,
      resubmissionRate: 0.25,
      slaBreaches: 1,
      slaBreachRate: 0.25,
      waitingPastSla: 1,
      byDay: [
        { day: day(3), decisions: 2, p50Seconds: 3600, p90Seconds: 7200, resubmitted: 0, slaBreaches: 0 },
        { day: day(2), decisions: 2, p50Seconds: 1800, p90Seconds: 108_000, resubmitted: 1, slaBreaches: 1 },
      ],
    });
    expect(summary.turnaround).toMatchObject({ decisions: 4, averageSeconds: 30_150 });
  }, 90_000);

  it('when events_seen holds records older than the horizon, then a pruning run deletes exactly those', async () => {
    const seen = async () =>
      Number((await publisher.pool.query<{ n: string }>('SELECT count(*) AS n FROM analytics.events_seen')).rows[0]?.n);
    // Every event once, and the marker.
    const counted = events.length + 1;
    expect(await seen()).toBe(counted);
    await publisher.pool.query(
      `INSERT INTO analytics.events_seen (event_id, seen_at)
       SELECT gen_random_uuid(), now() - make_interval(days => 31) FROM generate_series(1, 3)
       UNION ALL SELECT gen_random_uuid(), now() - make_interval(days => 29)`,
    );
    expect(await analytics.pruning.run()).toBe(3);
    expect(await seen()).toBe(counted + 1);
    expect(await analytics.pruning.run()).toBe(0);
  });

  it('as its own database role (hack/deps/roles.sh), analytics times a decision and prunes events_seen', async () => {
    const own = await createTestDatabase();
    const inOwn = (name: string) => {
      const url = new URL(process.env[name] ?? '');
      url.pathname = `/${own.name}`;
      return url.toString();
    };
    const admin = new pg.Client({ connectionString: own.url });
    await admin.connect();
    await admin.query(`GRANT CREATE ON DATABASE ${own.name} TO kyc_migrate`);
    await admin.end();
    const pool = createPool(inOwn('DATABASE_URL_ANALYTICS'));
    try {
      await migrateComponent('analytics', {
        LOG_LEVEL: 'silent',
        DATABASE_URL: inOwn('DATABASE_URL_MIGRATE'),
        DATABASE_APP_URL: inOwn('DATABASE_URL_ANALYTICS'),
      });
      const repository = new AggregateRepository(pool);
      const app = id('own');
      for (const [type, time] of [
        ['kyc.application.submitted', '09:00'],
        ['kyc.application.resubmission_requested', '09:30'],
        ['kyc.application.approved', '10:00'],
      ] as const)
        expect(await repository.record(randomUUID(), type, new Date(at(1, time)), app)).toBe(true);
      expect(await repository.decisionsSince(day(1), 3600)).toEqual([
        { day: day(1), decisions: 1, p50Seconds: 3600, p90Seconds: 3600, resubmitted: 1, slaBreaches: 0 },
        { decisions: 1, p50Seconds: 3600, p90Seconds: 3600, resubmitted: 1, slaBreaches: 0 },
      ]);
      expect(await repository.pruneSeen(new Date(Date.now() + 60_000), 10)).toBe(3);
    } finally {
      await pool.end();
      await own.drop();
    }
  });
});
