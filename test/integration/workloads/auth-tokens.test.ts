// Access tokens across the platform, attacked (docs/security.md, 4): only auth can mint a token (the
// old HS256 shared secret, a key of the attacker's, `alg: none`, RS256 and made-up kids are refused by
// every service), a logout or a role change stops a token everywhere within seconds, and a key rotation
// logs no one out. The real auth, kyc, notification, analytics and gateway in-process, on real
// PostgreSQL, Redis and Kafka; kyc and the others load auth's JWKS over HTTP as in a cluster.
import { createHmac, generateKeyPairSync, sign } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { SignJWT } from 'jose';
import { analyticsEnv, startAnalytics } from '../../../workloads/analytics/main.js';
import type { RunningAnalytics } from '../../../workloads/analytics/main.js';
import { startAuth } from '../../../workloads/auth/main.js';
import type { RunningAuth } from '../../../workloads/auth/main.js';
import { startGateway } from '../../../workloads/gateway/main.js';
import type { RunningGateway } from '../../../workloads/gateway/main.js';
import { startNotification } from '../../../workloads/notification/main.js';
import type { RunningNotification } from '../../../workloads/notification/main.js';
import {
  JwksKeySource,
  RevocationList,
  TokenVerifier,
  closeRedis,
  createRedis,
  parseSigningKeys,
  signAccessToken,
} from '../../../workloads/shared/index.js';
import type { SigningKey } from '../../../workloads/shared/index.js';
import { startKycHarness } from './kyc-support.js';
import type { KycHarness } from './kyc-support.js';
import { captureLogs, createTestDatabase, newSigningKeys, request, requireEnv, startJwksServer, suffix } from './support.js';
import type { TestDatabase } from './support.js';
import { TcpProxy } from './tcp-proxy.js';

const ADMIN = { email: 'admin@bank.example', password: 'admin-password-123' };
type Tokens = { accessToken: string; refreshToken: string; user: { id: string; role: string } };

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');
const claims = (sub: string): Record<string, unknown> => ({
  iss: 'kyc-auth',
  aud: 'kyc-api',
  sub,
  role: 'admin',
  iat: Date.now() / 1000,
  exp: Math.floor(Date.now() / 1000) + 600,
  jti: `forged-${suffix()}`,
});

/** Polls until `probe` holds; the time it took in ms. */
async function msUntil(probe: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!(await probe())) {
    if (Date.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return Date.now() - started;
}

describe('access tokens across the platform', () => {
  const prefix = `test-${suffix()}:`;
  const logs = captureLogs('platform', 'warn');
  const firstRing = newSigningKeys('k1');
  let db: TestDatabase;
  let authEnv: Record<string, string>;
  let auth: RunningAuth;
  let authPort = 0;
  let jwksUrl = '';
  let kyc: KycHarness;
  let notification: RunningNotification;
  let analytics: RunningAnalytics;
  let gateway: RunningGateway;
  let admin: Tokens;

  beforeAll(async () => {
    db = await createTestDatabase();
    authEnv = {
      DATABASE_URL: db.url,
      REDIS_URL: requireEnv('REDIS_URL'),
      REDIS_KEY_PREFIX: prefix,
      AUTH_SIGNING_KEYS: firstRing,
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      AUTH_SCRYPT_COST: '1024',
      METRICS_PORT: '0',
    };
    auth = await startAuth({ port: 0, host: '127.0.0.1', logger: logs.logger, env: authEnv });
    authPort = auth.port;
    jwksUrl = `${auth.url}/.well-known/jwks.json`;
    // Every other service: auth's JWKS and the platform's revocation list, with quick refreshes for the test.
    const verifier = {
      AUTH_JWKS_URL: jwksUrl,
      REDIS_URL: requireEnv('REDIS_URL'),
      REDIS_KEY_PREFIX: prefix,
      AUTH_JWKS_MIN_REFRESH_SECONDS: '1',
      AUTH_REVOCATION_SYNC_SECONDS: '2',
    };
    kyc = await startKycHarness(verifier, { waitForKafka: false });
    const services = {
      DATABASE_URL: db.url,
      KAFKA_BROKERS: requireEnv('KAFKA_BROKERS'),
      KAFKA_TOPIC_PREFIX: kyc.topicPrefix,
      SHUTDOWN_GRACE_MS: '500',
      ...verifier,
    };
    notification = await startNotification({ port: 0, host: '127.0.0.1', logger: logs.logger, env: services });
    analytics = await startAnalytics({ port: 0, host: '127.0.0.1', logger: logs.logger, env: services });
    gateway = await startGateway({
      port: 0,
      host: '127.0.0.1',
      logger: logs.logger,
      env: { ...verifier, UPSTREAM_AUTH: auth.url, UPSTREAM_KYC: kyc.kyc.url, RATE_LIMIT_REQUESTS: '0', METRICS_PORT: '0' },
    });
    admin = (await request<Tokens>(`${auth.url}/api/v1/auth/login`, { body: ADMIN })).body;
  }, 120_000);

  afterAll(async () => {
    await gateway?.close();
    await analytics?.close();
    await notification?.close();
    await auth?.close();
    await kyc?.close();
    await db?.drop();
  }, 60_000);

  /** One authenticated route of each service (the gateway's goes on to kyc). */
  const protectedRoutes = (): Array<[string, string]> => [
    ['kyc', kyc.url('/api/v1/review/queue')],
    ['notification', `${notification.url}/api/v1/notifications`],
    ['analytics', `${analytics.url}/api/v1/analytics/summary`],
    ['gateway', `${gateway.url}/api/v1/review/queue`],
    ['auth', `${auth.url}/api/v1/auth/me`],
  ];

  const staff = async (
    role: 'maker' | 'checker',
  ): Promise<{ credentials: { email: string; password: string }; id: string; tokens: Tokens }> => {
    const credentials = { email: `${role}-${suffix()}@bank.example`, password: `${role}-password-123` };
    const created = await request<{ id: string }>(`${auth.url}/api/v1/admin/users`, {
      body: { ...credentials, role, staffId: `EMP-${suffix()}` },
      token: admin.accessToken,
    });
    expect(created.status).toBe(201);
    const tokens = (await request<Tokens>(`${auth.url}/api/v1/auth/login`, { body: credentials })).body;
    return { credentials, id: created.body.id, tokens };
  };

  it("when a token is minted by anything but auth, then every service refuses it (401), while auth's own token passes", async () => {
    const sub = admin.user.id;
    const attacker = parseSigningKeys(newSigningKeys('k1'))[0];
    const stranger = parseSigningKeys(newSigningKeys('k9'))[0];
    if (!attacker || !stranger) throw new Error('no test keys');
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const rsHeader = b64({ alg: 'RS256', kid: 'k1' });
    const rsPayload = b64(claims(sub));
    const jwk = JSON.stringify((await request<{ keys: unknown[] }>(jwksUrl)).body.keys[0]);
    const hsHeader = b64({ alg: 'HS256', kid: 'k1' });
    const hsPayload = b64(claims(sub));
    const forged: Record<string, string> = {
      // The scheme before Ed25519 tokens: HS256 with the shared secret every service held.
      'old HS256 shared secret': await new SignJWT({ role: 'admin' })
        .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
        .setSubject(sub)
        .setIssuer('kyc-auth')
        .setAudience('kyc-api')
        .setIssuedAt()
        .setExpirationTime('10m')
        .sign(new TextEncoder().encode('component-test-secret-0123456789abcdef')),
      // Key confusion: HMAC "signed" with auth's public key as the secret.
      'HS256 with the public JWK as secret': `${hsHeader}.${hsPayload}.${createHmac('sha256', jwk).update(`${hsHeader}.${hsPayload}`).digest('base64url')}`,
      "EdDSA by an attacker key under auth's kid": signAccessToken({ sub, role: 'admin' }, attacker),
      'EdDSA under an unknown kid': signAccessToken({ sub, role: 'admin' }, stranger),
      'alg none': `${b64({ alg: 'none', kid: 'k1' })}.${b64(claims(sub))}.`,
      RS256: `${rsHeader}.${rsPayload}.${sign('sha256', Buffer.from(`${rsHeader}.${rsPayload}`), rsa.privateKey).toString('base64url')}`,
    };
    for (const [service, url] of protectedRoutes()) {
      for (const [name, token] of Object.entries(forged)) {
        const res = await request(url, { token });
        expect([service, name, res.status]).toEqual([service, name, 401]);
      }
      const genuine = await request(url, { token: admin.accessToken });
      expect([service, genuine.status === 401 || genuine.status >= 500]).toEqual([service, false]);
    }
    // Analytics (like every service but auth) cannot even be configured with a signing key.
    expect(Object.keys(analyticsEnv.shape)).not.toContain('AUTH_SIGNING_KEYS');
  }, 60_000);

  it('when tokens name made-up kids, then the verifier loads the JWKS at most once per minimum interval; with auth away it keeps the last good keys', async () => {
    const ring = newSigningKeys('real');
    const jwks = await startJwksServer(ring);
    const keys = new JwksKeySource(jwks.url, { refreshMs: 60_000, minRefreshMs: 1000, logger: logs.logger });
    await keys.start();
    try {
      const verifier = new TokenVerifier(keys);
      const loadsBefore = jwks.requests();
      const started = Date.now();
      let refused = 0;
      while (Date.now() - started < 1500) {
        const forged = parseSigningKeys(newSigningKeys(`made-up-${suffix()}`))[0];
        if (!forged) throw new Error('no key');
        const result = await verifier.verify(signAccessToken({ sub: 'x', role: 'admin' }, forged));
        if (!result.ok) refused += 1;
      }
      expect(refused).toBeGreaterThan(20);
      expect(jwks.requests() - loadsBefore).toBeLessThanOrEqual(2);
      // Auth unreachable: the refresh fails and the last good key set stays in use.
      const genuine = signAccessToken({ sub: 'y', role: 'maker' }, parseSigningKeys(ring)[0] as SigningKey);
      await jwks.close();
      expect(await keys.refresh()).toBe(false);
      expect(verifier.check(genuine)).toEqual({ ok: true, principal: { sub: 'y', role: 'maker' } });
    } finally {
      keys.close();
      await jwks.close();
    }
  });

  it('when a user logs out, then kyc refuses the same access token within seconds', async () => {
    const maker = await staff('maker');
    expect((await request(kyc.url('/api/v1/review/queue'), { token: maker.tokens.accessToken })).status).toBe(200);
    // The access token is not sent with the logout: the login's revocation (its sid) alone must stop it.
    expect((await request(`${auth.url}/api/v1/auth/logout`, { body: { refreshToken: maker.tokens.refreshToken } })).status).toBe(204);
    const ms = await msUntil(
      async () => (await request(kyc.url('/api/v1/review/queue'), { token: maker.tokens.accessToken })).status === 401,
      5000,
    );
    expect(ms).toBeLessThan(3000);
    for (const [, url] of protectedRoutes()) expect((await request(url, { token: maker.tokens.accessToken })).status).toBe(401);
  });

  it('when an admin changes a role, then the old token is refused by kyc within seconds and a new login carries the new role', async () => {
    const maker = await staff('maker');
    expect((await request(kyc.url('/api/v1/review/queue'), { token: maker.tokens.accessToken })).status).toBe(200);
    expect(
      (await request(`${auth.url}/api/v1/admin/users/${maker.id}/role`, { body: { role: 'customer' }, token: admin.accessToken })).status,
    ).toBe(200);
    const ms = await msUntil(
      async () => (await request(kyc.url('/api/v1/review/queue'), { token: maker.tokens.accessToken })).status === 401,
      5000,
    );
    expect(ms).toBeLessThan(3000);
    const after = (await request<Tokens>(`${auth.url}/api/v1/auth/login`, { body: maker.credentials })).body;
    expect(after.user.role).toBe('customer');
    expect((await request(kyc.url('/api/v1/review/queue'), { token: after.accessToken })).status).toBe(403);
  });

  it('when Redis is unreachable, then a verifier keeps the revocations it knows and goes on verifying', async () => {
    const target = new URL(requireEnv('REDIS_URL'));
    const proxy = new TcpProxy(target.hostname, Number(target.port || 6379));
    await proxy.start();
    target.host = `127.0.0.1:${proxy.port}`;
    const redis = createRedis(target.toString(), { connectionName: 'revocation-outage-test' });
    const list = new RevocationList({ redis, prefix: `test-${suffix()}:`, syncMs: 200, logger: logs.logger });
    await list.start();
    try {
      const until = Date.now() + 60_000;
      await list.revoke([{ kind: 'jti', id: 'gone', until }]);
      await proxy.stop();
      await new Promise((resolve) => setTimeout(resolve, 600)); // pulls fail meanwhile
      expect(list.isRevoked({ jti: 'gone', sid: undefined, sub: 'u', issuedAtMs: Date.now() }, Date.now())).toBe(true);
      expect(list.isRevoked({ jti: 'other', sid: undefined, sub: 'u', issuedAtMs: Date.now() }, Date.now())).toBe(false);
      expect(list.upToDate).toBe(false);
      await expect(list.revoke([{ kind: 'jti', id: 'during-outage', until }])).rejects.toBeDefined();
    } finally {
      list.close();
      await proxy.stop().catch(() => undefined);
      await closeRedis(redis);
    }
  }, 20_000);

  it('when auth restarts with a new first key, then tokens of the old key still work, new ones carry the new kid, and nobody is logged out', async () => {
    const maker = await staff('maker');
    const oldToken = maker.tokens.accessToken;
    await auth.close();
    const rotated = `${newSigningKeys('k2')},${firstRing}`;
    auth = await startAuth({ port: authPort, host: '127.0.0.1', logger: logs.logger, env: { ...authEnv, AUTH_SIGNING_KEYS: rotated } });
    const jwks = await request<{ keys: Array<{ kid: string }> }>(jwksUrl);
    expect(jwks.body.keys.map((k) => k.kid)).toEqual(['k2', 'k1']);
    // The old token, signed by k1, still verifies everywhere.
    expect((await request(kyc.url('/api/v1/review/queue'), { token: oldToken })).status).toBe(200);
    expect((await request(`${gateway.url}/api/v1/review/queue`, { token: oldToken })).status).toBe(200);
    // The refresh token of the login before the restart still works: nobody had to sign in again.
    const refreshed = await request<Tokens>(`${auth.url}/api/v1/auth/refresh`, { body: { refreshToken: maker.tokens.refreshToken } });
    expect(refreshed.status).toBe(200);
    const header = JSON.parse(Buffer.from(refreshed.body.accessToken.split('.')[0] ?? '', 'base64url').toString()) as { kid: string };
    expect(header.kid).toBe('k2');
    // kyc learns k2 from the JWKS on first sight of the kid.
    expect((await request(kyc.url('/api/v1/review/queue'), { token: refreshed.body.accessToken })).status).toBe(200);
    expect((await request(`${gateway.url}/api/v1/review/queue`, { token: refreshed.body.accessToken })).status).toBe(200);
  }, 60_000);

  it('never writes tokens to the logs', () => {
    const text = `${logs.text()}${kyc.logs.text()}`;
    expect(text).not.toContain(admin.accessToken);
    expect(text).not.toContain(admin.refreshToken);
  });
});
