// Why the outbox relay may run in both colours of a blue-green release (docs/releases.md, "Blue-green
// isolation"), on real PostgreSQL and Kafka: a blue and a green relay on one schema while events are
// written in many transactions. The advisory lock lets one relay publish at a time and rows are marked
// sent in the same transaction, so every event reaches Kafka once and each subject's events stay in order.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  OutboxRelay,
  createKafka,
  createPool,
  createProducer,
  enqueueEvent,
  newEvent,
  outboxMigration,
  runMigrations,
  withTransaction,
} from '../../../workloads/shared/index.js';
import type { EventEnvelope, Pool, Producer } from '../../../workloads/shared/index.js';
import { EventCollector, captureLogs, createTestDatabase, eventually, requireEnv, suffix } from './support.js';
import type { TestDatabase } from './support.js';

describe('the outbox relay in both colours', () => {
  const prefix = `test-${suffix()}.`;
  const logs = captureLogs('outbox-colours', 'warn');
  let db: TestDatabase;
  let pool: Pool;
  const producers: Producer[] = [];
  const relays: OutboxRelay[] = [];
  const relayPools: Pool[] = [];
  let collector: EventCollector;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = createPool(db.url);
    await runMigrations(pool, 'producer_test', [outboxMigration(1)]);
    const kafka = createKafka([requireEnv('KAFKA_BROKERS')], `test-${suffix()}`, logs.logger);
    for (let i = 0; i < 2; i++) {
      const producer = await createProducer(kafka);
      producers.push(producer);
      // Each colour's relay has its own pool, as each pod does.
      const relayPool = createPool(db.url);
      relayPools.push(relayPool);
      relays.push(
        new OutboxRelay({ pool: relayPool, schema: 'producer_test', producer, logger: logs.logger, intervalMs: 5, batchSize: 7 }),
      );
    }
    collector = new EventCollector(prefix, ['kyc']);
    await collector.start();
  }, 90_000);

  afterAll(async () => {
    await collector?.stop();
    for (const relay of relays) await relay.stop();
    for (const producer of producers) await producer.disconnect();
    for (const relayPool of relayPools) await relayPool.end();
    await pool?.end();
    await db?.drop();
  }, 60_000);

  it('when blue and green relay one outbox while events are written, then each event is published once and in order per subject', async () => {
    for (const relay of relays) relay.start();
    const subjects = Array.from({ length: 10 }, () => `app-${suffix()}`);
    const written: EventEnvelope[] = [];
    for (let round = 0; round < 30; round++) {
      await withTransaction(pool, async (client) => {
        for (const subject of subjects) {
          const event = newEvent('kyc.application.created', subject, { applicationId: subject, ownerId: 'user-1', round }, 'user-1');
          written.push(event);
          await enqueueEvent(client, 'producer_test', event, prefix);
        }
      });
    }
    await eventually(() => (collector.events.length >= written.length ? true : undefined), 60_000);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(collector.events).toHaveLength(written.length);
    expect(new Set(collector.events.map((e) => e.id)).size).toBe(written.length);
    for (const subject of subjects) {
      expect(collector.events.filter((e) => e.subject === subject).map((e) => e.id)).toEqual(
        written.filter((e) => e.subject === subject).map((e) => e.id),
      );
    }
    expect(await relays[0]?.pending()).toBe(0);
  }, 90_000);
});
