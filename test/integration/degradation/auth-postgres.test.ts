// auth with PostgreSQL frozen or gone, under a steady stream of sign-ups, through a fault proxy in front
// of a private database: every sign-up the API accepted (202) has its account afterwards; every failure
// is a 503 with Retry-After; no answer is slower than the gateway's upstream timeout (3000 ms); sign-ups
// succeed again once PostgreSQL is back.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { startAuth } from '../../../workloads/auth/main.js';
import type { RunningAuth } from '../../../workloads/auth/main.js';
import { AUTH_SCHEMA } from '../../../workloads/auth/data-access/migrations.js';
import { eventually } from '../../support/env.js';
import { FaultProxy, targetOf } from '../../support/fault-proxy.js';
import { loadThroughFault } from '../../support/steady-load.js';
import type { SteadyLoad } from '../../support/steady-load.js';
import { expectOnly503sWithinTheTimeout } from './support.js';
import { SIGNING_KEYS, captureLogs, createTestDatabase, request, requireEnv, suffix } from '../workloads/support.js';
import type { TestDatabase } from '../workloads/support.js';

const WRITES_PER_SECOND = 5;
const FAULT_MS = 8000;

describe('auth when PostgreSQL fails', () => {
  let db: TestDatabase;
  let proxy: FaultProxy;
  let auth: RunningAuth;
  const run = suffix();
  const logs = captureLogs('auth', 'warn');

  beforeAll(async () => {
    db = await createTestDatabase();
    proxy = await FaultProxy.start(targetOf(db.url));
    auth = await startAuth({
      port: 0,
      logger: logs.logger,
      env: {
        DATABASE_URL: proxy.rewrite(db.url),
        REDIS_URL: requireEnv('REDIS_URL'),
        REDIS_KEY_PREFIX: `test-${run}:`,
        AUTH_SIGNING_KEYS: SIGNING_KEYS,
        ADMIN_EMAIL: 'admin@bank.example',
        ADMIN_PASSWORD: 'admin-password-123',
        AUTH_SCRYPT_COST: '1024',
        AUTH_REGISTRATIONS_PER_HOUR: '100000',
      },
    });
    // The cases are about the fault, not a cold start: one sign-up served first, so the pool holds a
    // connection before the 'before' phase is measured.
    await eventually('auth to serve a first sign-up', async () => (await signUp(-1)).status === 202, 30_000, 250);
  }, 60_000);

  afterAll(async () => {
    await proxy?.pass();
    await auth?.close();
    await proxy?.stop();
    await db?.drop();
  }, 60_000);

  const signUp = async (sequence: number) => {
    const email = `user-${run}-${sequence}-${Math.random().toString(36).slice(2, 6)}@example.com`;
    const res = await request(`${auth.url}/api/v1/auth/register`, { body: { email, password: 'customer-password-1', name: 'Asha' } });
    return { ...res, written: res.status === 202 ? email : undefined };
  };

  async function underFault(name: string, inject: () => Promise<void>): Promise<SteadyLoad<string>> {
    const load = await loadThroughFault(WRITES_PER_SECOND, signUp, { durationMs: FAULT_MS, inject, heal: () => proxy.pass() });
    process.stdout.write(`auth, PostgreSQL ${name} ${FAULT_MS} ms at ${WRITES_PER_SECOND} sign-ups/s: ${JSON.stringify(load.summary())}\n`);
    return load;
  }

  async function expectNothingLost(load: SteadyLoad<string>): Promise<void> {
    const accepted = load.outcomes.flatMap((o) => (o.written ? [o.written] : []));
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const stored = await client.query<{ email: string }>(`SELECT email FROM ${AUTH_SCHEMA}.users WHERE email = ANY($1::text[])`, [
        accepted,
      ]);
      expect(stored.rows.map((r) => r.email).sort()).toEqual([...accepted].sort());
    } finally {
      await client.end();
    }
  }

  it('when PostgreSQL freezes, then accepted sign-ups are kept, failures are 503 + Retry-After within the timeout', async () => {
    const load = await underFault('frozen', () => proxy.freeze());
    expectOnly503sWithinTheTimeout(load, 202);
    await expectNothingLost(load);
  }, 60_000);

  it('when PostgreSQL goes away, then accepted sign-ups are kept, failures are 503 + Retry-After within the timeout', async () => {
    const load = await underFault('down', async () => {
      await proxy.refuse();
      proxy.resetConnections();
    });
    expectOnly503sWithinTheTimeout(load, 202);
    await expectNothingLost(load);
  }, 60_000);
});
