// Per-service credentials against the real PostgreSQL and Redis of `make deps` (docs/security.md,
// "Per-service credentials"): the migration role owns the schemas, each service's own role gets rows and
// nothing else, and each service's Redis user reaches only its own keys. The roles and users are made
// by hack/deps/roles.sh; `hack/deps.sh env` prints their URLs (DATABASE_URL_<COMPONENT>, ...).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { startAnalytics } from '../../../workloads/analytics/main.js';
import { startAuth } from '../../../workloads/auth/main.js';
import type { RunningAuth } from '../../../workloads/auth/main.js';
import { startGateway } from '../../../workloads/gateway/main.js';
import { startKyc } from '../../../workloads/kyc/main.js';
import { migrateComponent } from '../../../workloads/migrate.js';
import { startNotification } from '../../../workloads/notification/main.js';
import { closeRedis, createLogger, createRedis, newEvent, startRevocationList } from '../../../workloads/shared/index.js';
import type { Redis } from '../../../workloads/shared/index.js';
import { FakeUpstream } from './fake-upstream.js';
import { CONSENT, PII_KEY, token } from './kyc-support.js';
import {
  JWKS_URL,
  SIGNING_KEYS,
  captureLogs,
  createTestDatabase,
  eventServiceEnv,
  eventually,
  request,
  requireEnv,
  startOutboxPublisher,
  suffix,
} from './support.js';
import type { TestDatabase } from './support.js';

function roleUrl(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set: run the tests through hack/with-env.sh after make deps (hack/deps/roles.sh)`);
  return value;
}

/** `url` pointed at the test's database. */
function inDatabase(url: string, db: TestDatabase): string {
  const target = new URL(url);
  target.pathname = `/${db.name}`;
  return target.toString();
}

/** The SQLSTATE and message a statement fails with (undefined when it succeeds). */
async function refusal(client: pg.Client, sql: string): Promise<{ code: string; message: string } | undefined> {
  try {
    await client.query(sql);
    return undefined;
  } catch (error) {
    const { code, message } = error as { code: string; message: string };
    return { code, message };
  }
}

const quiet = { LOG_LEVEL: 'silent' };

describe('least privilege in PostgreSQL: the migration role owns, each service role gets rows', () => {
  let db: TestDatabase;
  let kycRole: pg.Client;

  beforeAll(async () => {
    db = await createTestDatabase();
    const admin = new pg.Client({ connectionString: db.url });
    await admin.connect();
    // What `make deps` grants on the platform database (hack/deps/roles.sh), here on the test's own.
    await admin.query(`GRANT CREATE ON DATABASE ${db.name} TO kyc_migrate`);
    await admin.end();
    for (const component of ['kyc', 'auth', 'notification', 'analytics'])
      await migrateComponent(component, {
        ...quiet,
        DATABASE_URL: inDatabase(roleUrl('DATABASE_URL_MIGRATE'), db),
        DATABASE_APP_URL: inDatabase(roleUrl(`DATABASE_URL_${component.toUpperCase()}`), db),
      });
    kycRole = new pg.Client({ connectionString: inDatabase(roleUrl('DATABASE_URL_KYC'), db) });
    await kycRole.connect();
  }, 60_000);

  afterAll(async () => {
    await kycRole?.end();
    await db?.drop();
  }, 30_000);

  it('when the kyc role tries to drop or disable the audit and state-machine triggers, or replace their functions, then PostgreSQL refuses: it owns none of them', async () => {
    for (const sql of [
      'DROP TRIGGER audit_trail_no_update_or_delete ON kyc.audit_trail',
      'ALTER TABLE kyc.audit_trail DISABLE TRIGGER audit_trail_no_truncate',
      'ALTER TABLE kyc.applications DISABLE TRIGGER applications_state_guard',
      'DROP TRIGGER applications_state_guard ON kyc.applications',
      'DROP TABLE kyc.audit_trail',
      `CREATE OR REPLACE FUNCTION kyc.guard_application_state() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$`,
      'CREATE TABLE kyc.shadow (id int)',
    ]) {
      const refused = await refusal(kycRole, sql);
      expect({ sql, code: refused?.code }).toEqual({ sql, code: '42501' });
      expect(refused?.message).toMatch(/must be owner|permission denied/);
    }
  });

  it('when the kyc role updates, deletes or truncates the audit trail, then it lacks the privilege (before any trigger runs); it may append and read', async () => {
    await kycRole.query(
      `INSERT INTO kyc.audit_trail (application_id, actor_id, actor_role, action) VALUES (gen_random_uuid(), 'u1', 'customer', 'created')`,
    );
    expect((await kycRole.query('SELECT count(*)::int AS n FROM kyc.audit_trail')).rows).toEqual([{ n: 1 }]);
    for (const sql of ["UPDATE kyc.audit_trail SET action = 'erased'", 'DELETE FROM kyc.audit_trail', 'TRUNCATE kyc.audit_trail']) {
      expect(await refusal(kycRole, sql)).toEqual({ code: '42501', message: 'permission denied for table audit_trail' });
    }
  });

  it('when the auth role updates, deletes or truncates the staff accounts audit, then it lacks the privilege; it may append and read', async () => {
    const authRole = new pg.Client({ connectionString: inDatabase(roleUrl('DATABASE_URL_AUTH'), db) });
    await authRole.connect();
    try {
      await authRole.query(
        `INSERT INTO auth.account_changes (actor_id, user_id, action, role_before, role_after) VALUES ('a1', gen_random_uuid(), 'role', 'maker', 'checker')`,
      );
      expect((await authRole.query('SELECT count(*)::int AS n FROM auth.account_changes')).rows).toEqual([{ n: 1 }]);
      for (const sql of [
        "UPDATE auth.account_changes SET role_after = 'admin'",
        'DELETE FROM auth.account_changes',
        'TRUNCATE auth.account_changes',
      ])
        expect(await refusal(authRole, sql)).toEqual({ code: '42501', message: 'permission denied for table account_changes' });
      const owned = await refusal(authRole, 'DROP TRIGGER account_changes_no_update_or_delete ON auth.account_changes');
      expect(owned?.code).toBe('42501');
    } finally {
      await authRole.end();
    }
  });

  it('when a service role reaches into another service schema or the migration ledger, then it is refused', async () => {
    expect(await refusal(kycRole, 'SELECT * FROM auth.users')).toEqual({ code: '42501', message: 'permission denied for schema auth' });
    expect(await refusal(kycRole, "INSERT INTO kyc.schema_migrations (version, name, checksum) VALUES (99, 'x', 'x')")).toEqual({
      code: '42501',
      message: 'permission denied for table schema_migrations',
    });
    expect(await refusal(kycRole, 'CREATE SCHEMA rogue')).toMatchObject({ code: '42501' });
  });

  it('when kyc starts with its own role and DATABASE_MIGRATIONS=external, then it serves: an application is created and audited', async () => {
    const kyc = await startKyc({
      port: 0,
      host: '127.0.0.1',
      logger: captureLogs('kyc', 'warn').logger,
      env: {
        DATABASE_URL: inDatabase(roleUrl('DATABASE_URL_KYC'), db),
        DATABASE_MIGRATIONS: 'external',
        KAFKA_BROKERS: requireEnv('KAFKA_BROKERS'),
        KAFKA_TOPIC_PREFIX: `test-${suffix()}.`,
        REDIS_KEY_PREFIX: `test-${suffix()}:`,
        AUTH_JWKS_URL: JWKS_URL,
        REDIS_URL: roleUrl('REDIS_URL_KYC'),
        PII_ENCRYPTION_KEYS: `k1:${PII_KEY}`,
        SHUTDOWN_GRACE_MS: '1000',
      },
    });
    try {
      const customer = await token(`lp-${suffix()}`, 'customer');
      const created = await request<{ id: string }>(`${kyc.url}/api/v1/applications`, { body: CONSENT, token: customer });
      expect(created.status).toBe(201);
      const audited = await kycRole.query('SELECT action FROM kyc.audit_trail WHERE application_id = $1', [created.body.id]);
      expect(audited.rows.length).toBeGreaterThan(0);
    } finally {
      await kyc.close();
    }
  });

  it('when notification and analytics run with their own roles, then an event is notified and counted (their rows, their outbox)', async () => {
    const prefix = `test-${suffix()}.`;
    const logger = captureLogs('events', 'warn').logger;
    const env = (component: string): Record<string, string> => ({
      ...eventServiceEnv(db, prefix),
      DATABASE_URL: inDatabase(roleUrl(`DATABASE_URL_${component.toUpperCase()}`), db),
      DATABASE_MIGRATIONS: 'external',
      REDIS_URL: roleUrl(`REDIS_URL_${component.toUpperCase()}`),
      REDIS_KEY_PREFIX: `test-${suffix()}:`,
    });
    const notification = await startNotification({ port: 0, host: '127.0.0.1', logger, env: env('notification') });
    const analytics = await startAnalytics({ port: 0, host: '127.0.0.1', logger, env: env('analytics') });
    const publisher = await startOutboxPublisher(db, prefix, logger);
    try {
      await Promise.all([notification.consumer.joined, analytics.consumer.joined]);
      const owner = `lp-${suffix()}`;
      const submitted = newEvent('kyc.application.submitted', `app-${suffix()}`, { applicationId: 'a', ownerId: owner }, owner);
      await publisher.publish(submitted);
      const email = notification.providers.find((p) => p.channel === 'email');
      await eventually(() => (email?.sent.some((m) => m.userId === owner) ? true : undefined), 30_000);
      const analyticsRole = new pg.Client({ connectionString: inDatabase(roleUrl('DATABASE_URL_ANALYTICS'), db) });
      await analyticsRole.connect();
      try {
        const seen = await eventually(async () => {
          const { rows } = await analyticsRole.query('SELECT 1 FROM analytics.events_seen WHERE event_id = $1', [submitted.id]);
          return rows.length === 1 ? rows : undefined;
        }, 30_000);
        expect(seen).toHaveLength(1);
      } finally {
        await analyticsRole.end();
      }
    } finally {
      await publisher.close();
      await notification.close();
      await analytics.close();
    }
  }, 90_000);

  it('when a service role starts without DATABASE_MIGRATIONS=external on an unmigrated database, then start-up fails: it cannot create its schema', async () => {
    const fresh = await createTestDatabase();
    try {
      await expect(
        startKyc({
          port: 0,
          host: '127.0.0.1',
          logger: captureLogs('kyc', 'silent').logger,
          env: {
            DATABASE_URL: inDatabase(roleUrl('DATABASE_URL_KYC'), fresh),
            KAFKA_BROKERS: requireEnv('KAFKA_BROKERS'),
            AUTH_JWKS_URL: 'http://127.0.0.1:9/jwks.json',
            REDIS_URL: roleUrl('REDIS_URL_KYC'),
            PII_ENCRYPTION_KEYS: `k1:${PII_KEY}`,
          },
        }),
      ).rejects.toThrow(/permission denied for database/);
    } finally {
      await fresh.drop();
    }
  });

  it('when a service role starts with DATABASE_MIGRATIONS=external on an unmigrated database, then start-up says the migration step has not run; a database that is not there is said as such', async () => {
    const fresh = await createTestDatabase();
    const start = (url: string): Promise<unknown> =>
      startKyc({
        port: 0,
        host: '127.0.0.1',
        logger: captureLogs('kyc', 'silent').logger,
        env: {
          DATABASE_URL: url,
          DATABASE_MIGRATIONS: 'external',
          KAFKA_BROKERS: requireEnv('KAFKA_BROKERS'),
          AUTH_JWKS_URL: 'http://127.0.0.1:9/jwks.json',
          REDIS_URL: roleUrl('REDIS_URL_KYC'),
          PII_ENCRYPTION_KEYS: `k1:${PII_KEY}`,
        },
      });
    try {
      await expect(start(inDatabase(roleUrl('DATABASE_URL_KYC'), fresh))).rejects.toThrow(/schema kyc is not migrated/);
      // Not blamed on the migration step: the real cause (here a database that does not exist).
      const missing = new URL(inDatabase(roleUrl('DATABASE_URL_KYC'), fresh));
      missing.pathname = `/absent_${suffix().replace(/-/g, '_')}`;
      await expect(start(missing.toString())).rejects.toThrow(/does not exist/);
    } finally {
      await fresh.drop();
    }
  });

  describe('auth with its own PostgreSQL role and Redis user', () => {
    let auth: RunningAuth;
    const prefix = `test-${suffix()}:`;
    const customer = { email: `lp-${suffix()}@example.com`, password: 'a-long-password-1' };
    let admin: Redis;
    let gatewayRedis: Redis;

    beforeAll(async () => {
      auth = await startAuth({
        port: 0,
        logger: captureLogs('auth', 'warn').logger,
        env: {
          DATABASE_URL: inDatabase(roleUrl('DATABASE_URL_AUTH'), db),
          DATABASE_MIGRATIONS: 'external',
          REDIS_URL: roleUrl('REDIS_URL_AUTH'),
          REDIS_KEY_PREFIX: prefix,
          AUTH_SIGNING_KEYS: SIGNING_KEYS,
          AUTH_SCRYPT_COST: '1024',
        },
      });
      admin = createRedis(requireEnv('REDIS_URL'), { connectionName: 'least-privilege-admin' });
      gatewayRedis = createRedis(roleUrl('REDIS_URL_GATEWAY'), { connectionName: 'least-privilege-gateway' });
    }, 60_000);

    afterAll(async () => {
      await auth?.close();
      await Promise.all([admin, gatewayRedis].filter(Boolean).map((r) => closeRedis(r)));
    }, 30_000);

    it('when a customer registers, logs in and refreshes, then it works, and the gateway user can neither read nor overwrite the refresh-token keys', async () => {
      expect((await request(`${auth.url}/api/v1/auth/register`, { body: customer })).status).toBe(202);
      const login = await request<{ refreshToken: string }>(`${auth.url}/api/v1/auth/login`, { body: customer });
      expect(login.status).toBe(200);
      const refreshed = await request(`${auth.url}/api/v1/auth/refresh`, { body: { refreshToken: login.body.refreshToken } });
      expect(refreshed.status).toBe(200);
      const keys = await admin.keys(`${prefix}auth:rt:*`);
      expect(keys.length).toBeGreaterThan(0);
      const key = keys[0] as string;
      await expect(gatewayRedis.get(key)).rejects.toThrow(/NOPERM/);
      await expect(gatewayRedis.set(key, 'forged')).rejects.toThrow(/NOPERM/);
      await expect(gatewayRedis.del(key)).rejects.toThrow(/NOPERM/);
    });

    it('when auth revokes a login, then a verifier with the gateway user sees it (read and subscribe), but the gateway user cannot write the list', async () => {
      const logger = createLogger({ component: 'least-privilege', level: 'silent' });
      const verifier = await startRevocationList(
        { REDIS_URL: roleUrl('REDIS_URL_GATEWAY'), REDIS_KEY_PREFIX: prefix, AUTH_REVOCATION_SYNC_SECONDS: 1 },
        logger,
        'gateway',
      );
      try {
        const login = await request<{ accessToken: string; refreshToken: string }>(`${auth.url}/api/v1/auth/login`, { body: customer });
        const claims = JSON.parse(Buffer.from(login.body.accessToken.split('.')[1] ?? '', 'base64url').toString()) as {
          jti: string;
          sid: string;
          sub: string;
          iat: number;
        };
        const logout = await request(`${auth.url}/api/v1/auth/logout`, {
          body: { refreshToken: login.body.refreshToken },
          token: login.body.accessToken,
        });
        expect(logout.status).toBe(204);
        const revoked = { jti: claims.jti, sid: claims.sid, sub: claims.sub, issuedAtMs: claims.iat * 1000 };
        await eventually(() => verifier.list.isRevoked(revoked, Date.now()) || undefined, 10_000);
        await expect(gatewayRedis.zadd(`${prefix}revocations`, Date.now(), '{}')).rejects.toThrow(/NOPERM/);
      } finally {
        await verifier.close();
      }
    });
  });
});

describe('least privilege in Redis: each service user reaches its own key prefixes', () => {
  const prefix = `test-${suffix()}:`;
  const users: Record<string, Redis> = {};

  beforeAll(() => {
    for (const name of ['GATEWAY', 'AUTH', 'KYC']) users[name] = createRedis(roleUrl(`REDIS_URL_${name}`), { keyPrefix: prefix });
  });

  afterAll(async () => {
    await Promise.all(Object.values(users).map((r) => closeRedis(r)));
  });

  const user = (name: string): Redis => users[name] as Redis;

  it('when the gateway writes its rate-limit and cache keys, then it may; auth keys and admin commands are refused', async () => {
    expect(await user('GATEWAY').set('gw:rl:client:x', '1', 'PX', 5000)).toBe('OK');
    expect(await user('GATEWAY').get('gw:rl:client:x')).toBe('1');
    await expect(user('GATEWAY').get('auth:rt:anything')).rejects.toThrow(/NOPERM/);
    await expect(user('GATEWAY').flushall()).rejects.toThrow(/NOPERM/);
    await expect(user('GATEWAY').keys('*')).rejects.toThrow(/NOPERM/);
    await expect(user('GATEWAY').config('GET', 'requirepass')).rejects.toThrow(/NOPERM/);
  });

  it('when auth writes its keys and the revocation list, then it may; the gateway keys are not its own', async () => {
    expect(await user('AUTH').set('auth:rt:x', '1', 'PX', 5000)).toBe('OK');
    expect(await user('AUTH').zadd('revocations', Date.now(), '{"kind":"jti","id":"x","until":0}')).toBe(1);
    await expect(user('AUTH').get('gw:rl:client:x')).rejects.toThrow(/NOPERM/);
  });

  it('when the gateway runs with its own Redis user, then its rate limits are counted in Redis under its prefix and /health says the cache is OK', async () => {
    const kyc = new FakeUpstream('k1');
    await kyc.start();
    const gatewayPrefix = `test-${suffix()}:`;
    const logs = captureLogs('gateway', 'warn');
    const gateway = await startGateway({
      port: 0,
      logger: logs.logger,
      env: { AUTH_JWKS_URL: JWKS_URL, REDIS_URL: roleUrl('REDIS_URL_GATEWAY'), REDIS_KEY_PREFIX: gatewayPrefix, UPSTREAM_KYC: kyc.url },
    });
    const admin = createRedis(requireEnv('REDIS_URL'), { connectionName: 'least-privilege-admin' });
    try {
      const customer = await token(`lp-${suffix()}`, 'customer');
      for (let i = 0; i < 3; i += 1) expect((await request(`${gateway.url}/api/v1/applications/1`, { token: customer })).status).toBe(200);
      expect(await eventually(async () => ((await admin.keys(`${gatewayPrefix}gw:rl:*`)).length > 0 ? true : undefined), 10_000)).toBe(
        true,
      );
      const health = (await (await fetch(`${gateway.metricsUrl}/health`)).json()) as { checks: Record<string, string> };
      expect(health.checks.cache).toBe('OK');
      expect(logs.text()).not.toContain('NOPERM');
    } finally {
      await closeRedis(admin);
      await gateway.close();
      await kyc.stop();
    }
  });

  it('when kyc (a verifier only) reads the revocation list, then it may; it writes nothing', async () => {
    expect(await user('KYC').zrangebyscore('revocations', 0, '+inf')).toHaveLength(1);
    await expect(user('KYC').set('kyc:anything', '1')).rejects.toThrow(/NOPERM/);
    await expect(user('KYC').zadd('revocations', 1, 'x')).rejects.toThrow(/NOPERM/);
  });
});
