// Blue-green isolation of the consumers (docs/releases.md, "Blue-green isolation"), against real Kafka and
// PostgreSQL: two analytics instances in this process play the blue and the green pods (KYC_COLOR), reading
// one live-settings file as the operator's ConfigMap would give it to both. Events are produced all along
// while activeColor goes blue → green → blue. Every event is counted exactly once in effect (the
// idempotency record, analytics.events_seen) — also those blue handled and that reach green again, as
// after a partition moved before its offsets were committed — the inactive colour handles none, and the
// switch leaves no event waiting longer than a few seconds.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startAnalytics } from '../../../workloads/analytics/main.js';
import type { RunningAnalytics } from '../../../workloads/analytics/main.js';
import { createKafka, createPool, createProducer, familyTopic, newEvent } from '../../../workloads/shared/index.js';
import type { Pool, Producer } from '../../../workloads/shared/index.js';
import { captureLogs, createTestDatabase, eventServiceEnv, eventually, liveSettingsFile, requireEnv, suffix } from './support.js';
import type { LiveSettingsFile, TestDatabase } from './support.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
/** ColorGate's default handover: the colour that stops being active keeps consuming this long. */
const HANDOVER_MS = 5_000;

/** The sum of a counter's samples in a /metrics text (all label sets). */
async function counterSum(running: RunningAnalytics, name: string): Promise<number> {
  const text = await fetch(`${running.metricsUrl}/metrics`).then((r) => r.text());
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
}

describe('blue-green: only the active colour consumes, and the switch loses nothing and doubles nothing in effect', () => {
  const prefix = `test-${suffix()}.`;
  const logs = captureLogs('bluegreen', 'info');
  let live: LiveSettingsFile;
  let db: TestDatabase;
  let pool: Pool;
  let producer: Producer;
  let blue: RunningAnalytics;
  let green: RunningAnalytics;

  const activate = (activeColor: 'blue' | 'green') => live.write({ featureFlags: {}, activeColor });
  const counted = (running: RunningAnalytics) => counterSum(running, 'kyc_analytics_events_total');
  const delivered = (running: RunningAnalytics) => counterSum(running, 'kyc_consumer_messages_total');

  beforeAll(async () => {
    live = await liveSettingsFile('kyc-bluegreen-');
    await activate('blue');
    db = await createTestDatabase();
    const env = { ...eventServiceEnv(db, prefix), LIVE_SETTINGS_FILE: live.path };
    // The real pods re-read the file every second.
    const options = { port: 0, host: '127.0.0.1', logger: logs.logger, liveSettingsIntervalMs: 1000 };
    blue = await startAnalytics({ ...options, env: { ...env, KYC_COLOR: 'blue' } });
    green = await startAnalytics({ ...options, env: { ...env, KYC_COLOR: 'green' } });
    await blue.consumer.joined;
    pool = createPool(db.url);
    producer = await createProducer(createKafka([requireEnv('KAFKA_BROKERS')], `test-${suffix()}`, logs.logger));
  }, 90_000);

  afterAll(async () => {
    await producer?.disconnect();
    await pool?.end();
    await blue?.close();
    await green?.close();
    await db?.drop();
    await live?.remove();
  }, 60_000);

  it('when activeColor flips while events flow, then each event is counted once, by the active colour only, none waits more than a few seconds', async () => {
    const topic = familyTopic('kyc', prefix);
    const sent = new Map<string, number>();
    const values = new Map<string, string>();
    let producing = true;
    const production = (async () => {
      while (producing) {
        const id = `app-${suffix()}`;
        const event = newEvent('kyc.application.expired', id, { applicationId: id, ownerId: 'user-1' }, 'system');
        sent.set(event.id, Date.now());
        values.set(event.id, JSON.stringify(event));
        await producer.send({ topic, messages: [{ key: id, value: JSON.stringify(event) }] });
        await sleep(20);
      }
    })();

    // Blue active: the green preview has joined no group and handled nothing.
    await sleep(3_000);
    expect(green.consumer.current).toBeUndefined();
    expect(await delivered(green)).toBe(0);

    // The switch: green starts at once, blue keeps consuming for the handover, then leaves the group.
    const switchedAt = Date.now();
    await activate('green');
    await green.consumer.joined;
    const greenJoinedMs = Date.now() - switchedAt;
    // What a partition moved before its offsets were committed looks like: events blue already handled,
    // delivered again, now to green. They must take effect once.
    const redelivered = [...values.entries()].slice(0, 20);
    await producer.send({
      topic,
      messages: redelivered.map(([, value]) => ({ key: (JSON.parse(value) as { subject: string }).subject, value })),
    });
    await eventually(() => (blue.consumer.current === undefined ? true : undefined), HANDOVER_MS + 5_000);
    const blueAfterStop = await delivered(blue);
    await sleep(4_000);
    expect(await delivered(blue)).toBe(blueAfterStop); // inactive: nothing more
    expect(await delivered(green)).toBeGreaterThan(0);

    // And back (a rollback within the scale-down window): blue resumes, green stops.
    await activate('blue');
    await blue.consumer.joined;
    await eventually(() => (green.consumer.current === undefined ? true : undefined), HANDOVER_MS + 5_000);
    const greenAfterStop = await delivered(green);
    await sleep(3_000);
    producing = false;
    await production;

    const ids = [...sent.keys()];
    const seen = await eventually(async () => {
      const { rows } = await pool.query<{ event_id: string; seen_at: Date }>(
        'SELECT event_id, seen_at FROM analytics.events_seen WHERE event_id = ANY($1::uuid[])',
        [ids],
      );
      return rows.length === ids.length ? rows : undefined;
    }, 30_000);
    expect(await delivered(green)).toBe(greenAfterStop);

    // Exactly once in effect: one idempotency record per event, and the two colours' counts add up to the events.
    expect(new Set(seen.map((row) => row.event_id)).size).toBe(ids.length);
    expect((await counted(blue)) + (await counted(green))).toBe(ids.length);
    const deliveries = (await delivered(blue)) + (await delivered(green));
    expect(deliveries).toBeGreaterThanOrEqual(ids.length + redelivered.length);
    // The longest an event waited for a consumer (produced → recorded), across both switches.
    const waits = seen.map((row) => row.seen_at.getTime() - (sent.get(row.event_id) ?? 0));
    const longestWaitMs = Math.max(...waits);
    const twice = deliveries - ids.length - redelivered.length;
    logs.logger.info(
      { events: ids.length, deliveries, deliveredTwiceBySwitch: twice, greenJoinedMs, longestWaitMs },
      'blue-green switch figures',
    );
    process.stdout.write(
      `blue-green switch: ${ids.length} events (+${redelivered.length} sent again), ${twice} delivered twice by the switches, green joined ${greenJoinedMs} ms after the flip, longest wait ${longestWaitMs} ms\n`,
    );
    expect(longestWaitMs).toBeLessThan(5_000);
  }, 120_000);
});
