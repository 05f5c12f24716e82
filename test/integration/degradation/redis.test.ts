// kyc and auth with Redis frozen or gone (a fault proxy in front of the shared Redis, a private key
// prefix): what each keeps doing and what it refuses, every answer inside the gateway's timeout.
//   kyc: access tokens are still verified, against the last revocation list it pulled (a token revoked
//        before the outage stays refused); writes go on.
//   auth: sign-ups go on (their rate limit counts locally); logins and refreshes fail closed with a 503
//        and Retry-After (the failed-login backoff and the refresh tokens live in Redis: nothing is
//        issued that could not be checked); all of it works again once Redis is back.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import { startAuth } from '../../../workloads/auth/main.js';
import type { RunningAuth } from '../../../workloads/auth/main.js';
import { startKyc } from '../../../workloads/kyc/main.js';
import type { RunningKyc } from '../../../workloads/kyc/main.js';
import { FaultProxy, targetOf } from '../../support/fault-proxy.js';
import { pause } from '../../support/steady-load.js';
import { CONSENT, PII_KEY } from '../workloads/kyc-support.js';
import { JWKS_URL, SIGNING_KEYS, captureLogs, createTestDatabase, eventually, request, requireEnv, suffix } from '../workloads/support.js';
import type { JsonResponse, TestDatabase } from '../workloads/support.js';

const GATEWAY_TIMEOUT_MS = 3000;
const CUSTOMER = { email: `asha-${randomUUID()}@example.com`, password: 'customer-password-1' };
type Tokens = { accessToken: string; refreshToken: string };

describe('kyc and auth when Redis fails', () => {
  let authDb: TestDatabase;
  let kycDb: TestDatabase;
  let proxy: FaultProxy;
  let auth: RunningAuth;
  let kyc: RunningKyc;
  let kept: Tokens;
  let loggedOut: Tokens;
  const prefix = `test-${suffix()}:`;
  const figures: Record<string, { requests: number; byStatus: Record<string, number>; maxLatencyMs: number }> = {};

  beforeAll(async () => {
    [authDb, kycDb] = await Promise.all([createTestDatabase(), createTestDatabase()]);
    proxy = await FaultProxy.start(targetOf(requireEnv('REDIS_URL')));
    const redisUrl = proxy.rewrite(requireEnv('REDIS_URL'));
    auth = await startAuth({
      port: 0,
      logger: captureLogs('auth', 'warn').logger,
      env: {
        DATABASE_URL: authDb.url,
        REDIS_URL: redisUrl,
        REDIS_KEY_PREFIX: prefix,
        AUTH_SIGNING_KEYS: SIGNING_KEYS,
        ADMIN_EMAIL: 'admin@bank.example',
        ADMIN_PASSWORD: 'admin-password-123',
        AUTH_SCRYPT_COST: '1024',
        AUTH_REGISTRATIONS_PER_HOUR: '1000',
        AUTH_REVOCATION_SYNC_SECONDS: '1',
      },
    });
    kyc = await startKyc({
      port: 0,
      host: '127.0.0.1',
      logger: captureLogs('kyc', 'warn').logger,
      env: {
        DATABASE_URL: kycDb.url,
        KAFKA_BROKERS: requireEnv('KAFKA_BROKERS'),
        KAFKA_TOPIC_PREFIX: `test-${suffix()}.`,
        AUTH_JWKS_URL: JWKS_URL,
        REDIS_URL: redisUrl,
        REDIS_KEY_PREFIX: prefix,
        AUTH_REVOCATION_SYNC_SECONDS: '1',
        PII_ENCRYPTION_KEYS: `k1:${PII_KEY}`,
        SHUTDOWN_GRACE_MS: '2000',
        KYC_MAX_OPEN_DRAFTS: '1000',
      },
    });
    expect((await request(`${auth.url}/api/v1/auth/register`, { body: { ...CUSTOMER, name: 'Asha' } })).status).toBe(202);
    kept = await login();
    loggedOut = await login();
    expect(
      (await request(`${auth.url}/api/v1/auth/logout`, { body: { refreshToken: loggedOut.refreshToken }, token: loggedOut.accessToken }))
        .status,
    ).toBe(204);
    // kyc has the revocation (pub/sub or its next pull) before Redis goes.
    await eventually(async () => ((await createApplication(loggedOut.accessToken)).status === 401 ? true : undefined));
  }, 90_000);

  afterAll(async () => {
    await proxy?.pass();
    await kyc?.close();
    await auth?.close();
    await proxy?.stop();
    await Promise.all([authDb?.drop(), kycDb?.drop()]);
    process.stdout.write(`Redis faults: ${JSON.stringify(figures)}\n`);
  }, 60_000);

  async function login(): Promise<Tokens> {
    const res = await request<Tokens>(`${auth.url}/api/v1/auth/login`, { body: CUSTOMER });
    expect(res.status).toBe(200);
    return res.body;
  }

  const createApplication = (accessToken: string) =>
    request<{ id?: string }>(`${kyc.url}/api/v1/applications`, { body: CONSENT, token: accessToken });

  /** Runs `call`, records it under `fault`, and checks it answered within the timeout. */
  async function timed(fault: string, call: () => Promise<JsonResponse<unknown>>): Promise<JsonResponse<unknown>> {
    const started = performance.now();
    const res = await call();
    const latencyMs = Math.round(performance.now() - started);
    const entry = (figures[fault] ??= { requests: 0, byStatus: {}, maxLatencyMs: 0 });
    entry.requests += 1;
    entry.byStatus[res.status] = (entry.byStatus[res.status] ?? 0) + 1;
    entry.maxLatencyMs = Math.max(entry.maxLatencyMs, latencyMs);
    expect(latencyMs).toBeLessThan(GATEWAY_TIMEOUT_MS);
    return res;
  }

  async function expectDegradedBehaviour(fault: string): Promise<void> {
    for (let round = 0; round < 3; round += 1) {
      expect((await timed(fault, () => createApplication(kept.accessToken))).status).toBe(201);
      expect((await timed(fault, () => createApplication(loggedOut.accessToken))).status).toBe(401);
      const email = `late-${randomUUID()}@example.com`;
      expect(
        (
          await timed(fault, () =>
            request(`${auth.url}/api/v1/auth/register`, { body: { email, password: 'customer-password-1', name: 'Late' } }),
          )
        ).status,
      ).toBe(202);
      for (const closed of [
        () => request(`${auth.url}/api/v1/auth/login`, { body: CUSTOMER }),
        () => request(`${auth.url}/api/v1/auth/refresh`, { body: { refreshToken: kept.refreshToken } }),
      ]) {
        const res = await timed(fault, closed);
        expect(res.status).toBe(503);
        expect(res.headers.get('retry-after')).toMatch(/^[1-9][0-9]*$/);
      }
    }
  }

  async function expectBackToNormal(): Promise<void> {
    await proxy.pass();
    await eventually(
      async () => ((await request(`${auth.url}/api/v1/auth/login`, { body: CUSTOMER })).status === 200 ? true : undefined),
      15_000,
      250,
    );
    const refreshed = await request<Tokens>(`${auth.url}/api/v1/auth/refresh`, { body: { refreshToken: kept.refreshToken } });
    expect(refreshed.status).toBe(200);
    kept = refreshed.body;
  }

  it('when Redis freezes, then kyc verifies tokens from the last list and takes writes, auth takes sign-ups and refuses logins and refreshes with 503', async () => {
    await proxy.freeze();
    await pause(500);
    await expectDegradedBehaviour('frozen');
    await expectBackToNormal();
  }, 60_000);

  it('when Redis goes away, then the same, and all of it works again once Redis is back', async () => {
    await proxy.refuse();
    proxy.resetConnections();
    await pause(500);
    await expectDegradedBehaviour('down');
    await expectBackToNormal();
  }, 60_000);
});
