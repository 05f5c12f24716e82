// kyc with PostgreSQL frozen or gone, under a steady stream of writes (new applications), through a
// fault proxy in front of a private database (the shared PostgreSQL itself is never touched): every
// write the API accepted (201) is in the database afterwards, whole (its consent and audit entry with
// it); every failure is a 503 temporarily-unavailable with Retry-After; no answer is slower than the
// gateway's upstream timeout (3000 ms); writes succeed again once PostgreSQL is back.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { startKyc } from '../../../workloads/kyc/main.js';
import type { RunningKyc } from '../../../workloads/kyc/main.js';
import { KYC_SCHEMA } from '../../../workloads/kyc/data-access/migrations.js';
import { eventually } from '../../support/env.js';
import { FaultProxy, targetOf } from '../../support/fault-proxy.js';
import { loadThroughFault } from '../../support/steady-load.js';
import type { SteadyLoad } from '../../support/steady-load.js';
import { expectOnly503sWithinTheTimeout } from './support.js';
import { CONSENT, PII_KEY, token } from '../workloads/kyc-support.js';
import { captureLogs, createTestDatabase, request, requireEnv, suffix, verifierEnv } from '../workloads/support.js';
import type { TestDatabase } from '../workloads/support.js';

const WRITES_PER_SECOND = 5;
const FAULT_MS = 8000;

describe('kyc when PostgreSQL fails', () => {
  let db: TestDatabase;
  let proxy: FaultProxy;
  let kyc: RunningKyc;
  let customer: string;
  const logs = captureLogs('kyc', 'warn');

  beforeAll(async () => {
    db = await createTestDatabase();
    proxy = await FaultProxy.start(targetOf(db.url));
    kyc = await startKyc({
      port: 0,
      host: '127.0.0.1',
      logger: logs.logger,
      env: {
        DATABASE_URL: proxy.rewrite(db.url),
        KAFKA_BROKERS: requireEnv('KAFKA_BROKERS'),
        KAFKA_TOPIC_PREFIX: `test-${suffix()}.`,
        ...verifierEnv(),
        PII_ENCRYPTION_KEYS: `k1:${PII_KEY}`,
        SHUTDOWN_GRACE_MS: '2000',
        KYC_MAX_OPEN_DRAFTS: '1000',
      },
    });
    customer = await token(`cust-${randomUUID()}`, 'customer');
    // The cases are about the fault, not a cold start: one write served first, so the pool holds a
    // connection and the first statements are prepared before the 'before' phase is measured.
    await eventually('kyc to serve a first write', async () => (await createApplication()).status === 201, 30_000, 250);
  }, 60_000);

  afterAll(async () => {
    await proxy?.pass();
    await kyc?.close();
    await proxy?.stop();
    await db?.drop();
  }, 60_000);

  const createApplication = async () => {
    // With an Idempotency-Key, as a careful client sends: its record is written and settled too.
    const res = await request<{ id?: string }>(`${kyc.url}/api/v1/applications`, {
      body: CONSENT,
      token: customer,
      headers: { 'idempotency-key': randomUUID() },
    });
    return { ...res, written: res.status === 201 ? res.body.id : undefined };
  };

  async function underFault(name: string, inject: () => Promise<void>): Promise<SteadyLoad<string>> {
    storedBefore = await countStored();
    const load = await loadThroughFault(WRITES_PER_SECOND, createApplication, { durationMs: FAULT_MS, inject, heal: () => proxy.pass() });
    // The figures the report quotes (requests, answers by status, slowest answer per phase).
    process.stdout.write(`kyc, PostgreSQL ${name} ${FAULT_MS} ms at ${WRITES_PER_SECOND} writes/s: ${JSON.stringify(load.summary())}\n`);
    return load;
  }

  /** Applications stored before the case began (the earlier cases' ones). */
  let storedBefore = 0;

  async function countStored(): Promise<number> {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      return Number((await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${KYC_SCHEMA}.applications`)).rows[0]?.n);
    } finally {
      await client.end();
    }
  }

  async function expectNothingLostOrHalfWritten(load: SteadyLoad<string>): Promise<void> {
    const accepted = load.outcomes.flatMap((o) => (o.written ? [o.written] : []));
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const stored = await client.query<{ id: string }>(`SELECT id FROM ${KYC_SCHEMA}.applications WHERE id = ANY($1::uuid[])`, [accepted]);
      expect(stored.rows.map((r) => r.id).sort()).toEqual([...accepted].sort());
      // A 503 whose COMMIT reached PostgreSQL anyway leaves a whole application too, never a part of one.
      const partial = await client.query<{ n: string }>(
        `SELECT count(*) AS n FROM ${KYC_SCHEMA}.applications a
          WHERE NOT EXISTS (SELECT 1 FROM ${KYC_SCHEMA}.consents c WHERE c.application_id = a.id)
             OR NOT EXISTS (SELECT 1 FROM ${KYC_SCHEMA}.audit_trail t WHERE t.application_id = a.id)`,
      );
      expect(partial.rows[0]?.n).toBe('0');
      const total = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${KYC_SCHEMA}.applications`);
      // Figures: a 503 whose COMMIT had already left is stored though refused (the client's retry with its Idempotency-Key finds it).
      process.stdout.write(
        `kyc: ${accepted.length} accepted writes stored; ${Number(total.rows[0]?.n) - storedBefore - accepted.length} refused writes stored whole anyway\n`,
      );
    } finally {
      await client.end();
    }
  }

  it('when PostgreSQL freezes (connections stall, bytes held), then accepted writes are kept whole, failures are 503 + Retry-After within the timeout', async () => {
    const load = await underFault('frozen', () => proxy.freeze());
    expectOnly503sWithinTheTimeout(load, 201);
    await expectNothingLostOrHalfWritten(load);
  }, 60_000);

  it('when PostgreSQL goes away (connections reset, new ones refused), then accepted writes are kept whole, failures are 503 + Retry-After within the timeout', async () => {
    const load = await underFault('down', async () => {
      await proxy.refuse();
      proxy.resetConnections();
    });
    expectOnly503sWithinTheTimeout(load, 201);
    await expectNothingLostOrHalfWritten(load);
  }, 60_000);

  it('when PostgreSQL restarts (connections closed cleanly, new ones refused until it is back), then the same', async () => {
    const load = await underFault('restarting', async () => {
      await proxy.refuse();
      proxy.closeConnections();
    });
    expectOnly503sWithinTheTimeout(load, 201);
    await expectNothingLostOrHalfWritten(load);
  }, 60_000);

  it('never answers 500 and logs the dependency, not the driver message, to the client', () => {
    expect(logs.text()).toContain('dependency unavailable; answered 503');
  });
});
