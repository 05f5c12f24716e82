// A whole service over verified TLS to its three stores (docs/security.md, "Data in transit to the stores"):
// analytics started in-process as a pod declared `tls: Required` runs — DATABASE_TLS, REDIS_TLS and
// KAFKA_TLS required, the make deps CA as each CA file, the TLS URLs of `make deps env` — and every
// connection it opens is TLS: PostgreSQL says so in pg_stat_ssl, Redis shows its clients on the TLS port,
// and its consumer joins its group through the SSL listener, the only broker it is given. The same service
// given a plaintext URL refuses to start. The TLS variables are read from the process environment, as
// in a pod (workloads/shared/store-tls.ts), so this suite sets them there and puts them back afterwards.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Redis } from 'ioredis';
import pg from 'pg';
import { startAnalytics, type RunningAnalytics } from '../../../workloads/analytics/main.js';
import { requireEnv as requireSetting } from '../../support/env.js';
import { captureLogs, createTestDatabase, eventServiceEnv, requireEnv, suffix, type TestDatabase } from './support.js';

const TLS_ENV = {
  DATABASE_TLS: 'required',
  DATABASE_CA_FILE: requireSetting('DEPS_CA_FILE'),
  REDIS_TLS: 'required',
  REDIS_CA_FILE: requireSetting('DEPS_CA_FILE'),
  KAFKA_TLS: 'required',
  KAFKA_CA_FILE: requireSetting('DEPS_CA_FILE'),
};

describe('a service whose stores are declared tls: Required', () => {
  const logs = captureLogs('store-tls', 'warn');
  const saved = Object.fromEntries(Object.keys(TLS_ENV).map((k) => [k, process.env[k]]));
  let db: TestDatabase;
  let analytics: RunningAnalytics | undefined;
  let env: Record<string, string>;

  beforeAll(async () => {
    Object.assign(process.env, TLS_ENV);
    db = await createTestDatabase();
    const databaseUrl = new URL(requireSetting('DATABASE_TLS_URL'));
    databaseUrl.pathname = `/${db.name}`;
    env = {
      ...eventServiceEnv(db, `store-tls-${suffix()}.`),
      DATABASE_URL: databaseUrl.toString(),
      REDIS_URL: requireSetting('REDIS_TLS_URL'),
      KAFKA_BROKERS: requireSetting('KAFKA_TLS_BROKERS'),
    };
  }, 30_000);

  afterAll(async () => {
    await analytics?.close();
    await db?.drop();
    for (const [k, v] of Object.entries(saved))
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
  }, 30_000);

  it('when its URLs are plaintext, then it refuses to start, naming what to set', async () => {
    await expect(
      startAnalytics({ port: 0, host: '127.0.0.1', logger: logs.logger, env: { ...env, DATABASE_URL: db.url } }),
    ).rejects.toThrow(/DATABASE_URL does not ask for verified TLS .* add sslmode=verify-full/);
  });

  it('when its URLs are the TLS ones, then it runs and every connection to the stores is TLS', async () => {
    analytics = await startAnalytics({ port: 0, host: '127.0.0.1', logger: logs.logger, env });
    await analytics.consumer.joined;

    const admin = new pg.Client({ connectionString: requireEnv('DATABASE_URL') });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ ssl: boolean }>(
        `SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a USING (pid) WHERE a.datname = $1 AND a.application_name = 'kyc-analytics'`,
        [db.name],
      );
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((r) => r.ssl)).toBe(true);
    } finally {
      await admin.end();
    }

    const redis = new Redis(requireEnv('REDIS_URL'), { lazyConnect: true });
    await redis.connect();
    try {
      const tlsPort = new URL(requireSetting('REDIS_TLS_URL')).port;
      const clients = String(await redis.client('LIST'))
        .split('\n')
        .filter((line) => / name=kyc-analytics/.test(line));
      expect(clients.length).toBeGreaterThan(0);
      for (const client of clients) expect(client).toMatch(new RegExp(` laddr=127\\.0\\.0\\.1:${tlsPort} `));
    } finally {
      redis.disconnect();
    }
  }, 90_000);
});
