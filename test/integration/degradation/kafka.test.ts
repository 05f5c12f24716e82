// kyc with Kafka away: writes go on (their events wait in the outbox, in the same transaction as the
// change), and once Kafka is reachable the outbox delivers every one of them, once. Kafka is cut at its
// bootstrap address (a refusing fault proxy in KAFKA_BROKERS): the client never learns the brokers'
// addresses, so the shared Kafka other suites use is untouched.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { FaultProxy } from '../../support/fault-proxy.js';
import { EventCollector, CONSENT, startKycHarness, token } from '../workloads/kyc-support.js';
import type { KycHarness } from '../workloads/kyc-support.js';
import { eventually, request, requireEnv } from '../workloads/support.js';

const GATEWAY_TIMEOUT_MS = 3000;

describe('kyc when Kafka is away', () => {
  let proxy: FaultProxy;
  let h: KycHarness;
  let collector: EventCollector;

  beforeAll(async () => {
    const [host = '127.0.0.1', port = '9092'] = (requireEnv('KAFKA_BROKERS').split(',')[0] ?? '').split(':');
    proxy = await FaultProxy.start({ host, port: Number(port) });
    await proxy.refuse();
    h = await startKycHarness({ KAFKA_BROKERS: `127.0.0.1:${proxy.port}` }, { waitForKafka: false });
    collector = new EventCollector(h.topicPrefix);
  }, 60_000);

  afterAll(async () => {
    await collector?.stop();
    await h?.close();
    await proxy?.stop();
  }, 60_000);

  const pending = async (): Promise<number> => {
    const client = new pg.Client({ connectionString: h.db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: string }>('SELECT count(*) AS n FROM kyc.outbox WHERE sent_at IS NULL');
      return Number(rows[0]?.n);
    } finally {
      await client.end();
    }
  };

  it('when Kafka is down, then writes are accepted into the outbox, and delivered once each after it is back', async () => {
    const customer = await token(`cust-${randomUUID()}`, 'customer');
    const ids: string[] = [];
    let maxLatencyMs = 0;
    for (let i = 0; i < 10; i += 1) {
      const started = performance.now();
      const res = await request<{ id: string }>(h.url('/api/v1/applications'), { body: CONSENT, token: customer });
      maxLatencyMs = Math.max(maxLatencyMs, performance.now() - started);
      expect(res.status).toBe(201);
      ids.push(res.body.id);
    }
    expect(maxLatencyMs).toBeLessThan(GATEWAY_TIMEOUT_MS);
    expect(await pending()).toBeGreaterThanOrEqual(ids.length);
    const downAt = Date.now();

    await proxy.pass();
    await h.kyc.messaging.ready;
    await collector.start();
    await eventually(
      () => Promise.resolve(ids.every((id) => collector.about(id).some((e) => e.type === 'kyc.application.created')) ? true : undefined),
      90_000,
      250,
    );
    const deliveredAfterMs = Date.now() - downAt;
    await eventually(async () => ((await pending()) === 0 ? true : undefined), 30_000, 250);
    const created = ids.flatMap((id) => collector.about(id).filter((e) => e.type === 'kyc.application.created'));
    expect(created).toHaveLength(ids.length);
    expect(new Set(created.map((e) => e.id)).size).toBe(ids.length);
    process.stdout.write(
      `kyc, Kafka down: 10 writes, all 201, slowest ${Math.round(maxLatencyMs)} ms; all delivered once ${deliveredAfterMs} ms after Kafka came back\n`,
    );
  }, 150_000);
});
