// The gateway in front of the real auth service and stand-in kyc and analytics instances: token
// checks, identity forwarding, OpenAPI, X-KYC-Version, rate limits, the circuit breaker and its
// fallbacks (stale answers only for routes without personal data).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startAuth } from '../../../workloads/auth/main.js';
import type { RunningAuth } from '../../../workloads/auth/main.js';
import { startGateway } from '../../../workloads/gateway/main.js';
import type { RunningGateway } from '../../../workloads/gateway/main.js';
import { FakeUpstream } from './fake-upstream.js';
import type { Echo } from './fake-upstream.js';
import {
  SIGNING_KEYS,
  captureLogs,
  createTestDatabase,
  eventually,
  request,
  requireEnv,
  signToken,
  suffix,
  verifierEnv,
} from './support.js';
import type { TestDatabase } from './support.js';

const VERSION = '1.4.2-test';

describe('gateway', () => {
  let db: TestDatabase;
  let auth: RunningAuth;
  let gateway: RunningGateway;
  const kyc = [new FakeUpstream('k1'), new FakeUpstream('k2'), new FakeUpstream('k3')];
  const analytics = new FakeUpstream('an1');
  const logs = captureLogs('gateway');
  const secrets: string[] = [];

  beforeAll(async () => {
    db = await createTestDatabase();
    await Promise.all([...kyc, analytics].map((k) => k.start()));
    auth = await startAuth({
      port: 0,
      logger: captureLogs('auth', 'warn').logger,
      env: {
        DATABASE_URL: db.url,
        REDIS_URL: requireEnv('REDIS_URL'),
        REDIS_KEY_PREFIX: `test-${suffix()}:`,
        AUTH_SIGNING_KEYS: SIGNING_KEYS,
        AUTH_SCRYPT_COST: '1024',
      },
    });
    gateway = await startGateway({
      port: 0,
      logger: logs.logger,
      env: {
        REDIS_KEY_PREFIX: `test-${suffix()}:`,
        ...verifierEnv(),
        KYC_VERSION: VERSION,
        UPSTREAM_AUTH: auth.url,
        UPSTREAM_KYC: kyc.map((k) => k.url).join(','),
        UPSTREAM_ANALYTICS: analytics.url,
        BREAKER_TIMEOUT_MS: '300',
        BREAKER_RESET_TIMEOUT_MS: '1000',
        BREAKER_VOLUME_THRESHOLD: '3',
        RATE_LIMIT_REQUESTS: '1000',
        LOG_LEVEL: 'debug',
      },
    });
  }, 60_000);

  afterAll(async () => {
    await gateway?.close();
    await auth?.close();
    await Promise.all([...kyc, analytics].map((k) => k.stop()));
    await db?.drop();
  }, 60_000);

  const api = (path: string): string => `${gateway.url}/api/v1${path}`;

  it('when a customer signs up and logs in through the gateway, then their identity reaches kyc and spoofed headers do not', async () => {
    const credentials = { email: `c-${suffix()}@example.com`, password: 'gateway-password-1' };
    secrets.push(credentials.password);
    expect((await request(api('/auth/register'), { body: credentials })).status).toBe(202);
    const login = await request<{ accessToken: string; refreshToken: string; user: { id: string } }>(api('/auth/login'), {
      body: credentials,
    });
    expect(login.status).toBe(200);
    secrets.push(login.body.accessToken, login.body.refreshToken);
    const echo = await request<Echo>(api('/applications/abc?x=1'), {
      token: login.body.accessToken,
      headers: { 'x-user-id': 'someone-else', 'x-user-role': 'admin' },
    });
    expect(echo.status).toBe(200);
    expect(echo.body).toMatchObject({
      path: '/api/v1/applications/abc?x=1',
      userId: login.body.user.id,
      userRole: 'customer',
      authorization: true,
    });
    const posted = await request<Echo>(api('/applications'), { token: login.body.accessToken, body: { hello: 'world' } });
    expect(posted.body).toMatchObject({ method: 'POST', body: '{"hello":"world"}' });
  });

  it('when the token is missing, forged or expired, then 401 before any upstream is called', async () => {
    const before = kyc.reduce((n, k) => n + k.hits, 0);
    expect((await request(api('/applications/1'))).status).toBe(401);
    expect((await request(api('/applications/1'), { headers: { authorization: 'Bearer forged.token.value' } })).status).toBe(401);
    const expired = await signToken({ sub: 'u', role: 'customer' }, -5);
    const res = await request(api('/review/queue'), { token: expired });
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(kyc.reduce((n, k) => n + k.hits, 0)).toBe(before);
  });

  it('sends X-KYC-Version and security headers on every response, errors and health included', async () => {
    for (const path of [`${gateway.metricsUrl}/health`, '/ready', '/api/v1/openapi.json', '/api/v1/nowhere', '/api/v1/applications/1']) {
      const res = await fetch(path.startsWith('http') ? path : `${gateway.url}${path}`);
      expect(res.headers.get('x-kyc-version')).toBe(VERSION);
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });

  it('serves an OpenAPI 3 document that covers every public route', async () => {
    const doc = await request<{ openapi: string; paths: Record<string, Record<string, unknown>> }>(api('/openapi.json'));
    expect(doc.body.openapi).toMatch(/^3\./);
    const operations = Object.entries(doc.body.paths).flatMap(([path, ops]) =>
      Object.keys(ops).map((method) => `${method.toUpperCase()} ${path}`),
    );
    for (const expected of [
      'POST /auth/register',
      'POST /auth/login',
      'POST /auth/refresh',
      'POST /auth/logout',
      'POST /admin/users',
      'POST /applications',
      'GET /applications/{id}',
      'PATCH /applications/{id}',
      'POST /applications/{id}/documents',
      'POST /applications/{id}/submit',
      'POST /applications/{id}/cancel',
      'GET /review/queue',
      'POST /review/{id}/recommend',
      'POST /review/{id}/request-resubmission',
      'POST /review/{id}/approve',
      'POST /review/{id}/reject',
      'POST /review/{id}/return',
      'GET /analytics/summary',
    ]) {
      expect(operations).toContain(expected);
    }
  });

  it('when a client goes over its rate limit, then 429 with Retry-After', async () => {
    const limited = await startGateway({
      port: 0,
      logger: captureLogs('gateway', 'warn').logger,
      env: { REDIS_KEY_PREFIX: `test-${suffix()}:`, ...verifierEnv(), UPSTREAM_KYC: kyc[0]?.url ?? '', RATE_LIMIT_REQUESTS: '5' },
    });
    try {
      const token = await signToken({ sub: `rl-${suffix()}`, role: 'customer' });
      const statuses: number[] = [];
      for (let i = 0; i < 7; i += 1) statuses.push((await request(`${limited.url}/api/v1/applications/1`, { token })).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429]);
      const refused = await request(`${limited.url}/api/v1/applications/1`, { token });
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      // Another user has their own budget.
      const other = await signToken({ sub: `rl-${suffix()}`, role: 'customer' });
      expect((await request(`${limited.url}/api/v1/applications/1`, { token: other })).status).toBe(200);
    } finally {
      await limited.close();
    }
  });

  it('when kyc stops, then the breaker opens and every request gets 503 + Retry-After (an application read before is not served stale: personal data is never cached); it closes when kyc returns', async () => {
    const token = await signToken({ sub: `breaker-${suffix()}`, role: 'customer' });
    const readBefore = api('/applications/read-before');
    expect((await request<Echo>(readBefore, { token })).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 200)); // a cache write would be fire-and-forget
    await Promise.all(kyc.map((k) => k.stop()));
    const breaker = gateway.upstreams.get('kyc');
    const statuses: number[] = [];
    for (let i = 0; i < 6 && breaker?.state() !== 'open'; i += 1)
      statuses.push((await request(api(`/applications/uncached-${i}`), { token })).status);
    expect(statuses.every((s) => s === 503)).toBe(true);
    expect(breaker?.state()).toBe('open');
    const notStale = await request(readBefore, { token });
    expect([notStale.status, notStale.headers.get('warning')]).toEqual([503, null]);
    expect(Number(notStale.headers.get('retry-after'))).toBeGreaterThan(0);
    const unavailable = await request(api('/applications'), { token, body: {} });
    expect(unavailable.status).toBe(503);
    expect(unavailable.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(Number(unavailable.headers.get('retry-after'))).toBeGreaterThan(0);
    const health = await request(`${gateway.metricsUrl}/health`);
    expect([health.status, (health.body.checks as Record<string, string>).externalAPIs]).toEqual([503, 'ERROR']);
    const metrics = await fetch(`${gateway.metricsUrl}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(/kyc_gateway_breaker_state\{[^}]*upstream="kyc",state="open"[^}]*\} 1/);

    await Promise.all(kyc.map((k) => k.start()));
    await eventually(async () => ((await request(api('/applications/after'), { token })).status === 200 ? true : undefined), 15_000, 200);
    expect(breaker?.state()).toBe('closed');
    expect((await request(`${gateway.metricsUrl}/health`)).status).toBe(200);
  }, 40_000);

  it('when analytics stops, then the summary read before is served stale with a Warning to the same user only, and an answer marked no-store is never served stale', async () => {
    analytics.answer = (path) =>
      path.includes('no-store') ? { headers: { 'cache-control': 'no-store' }, body: '{"counts":[]}' } : undefined;
    try {
      const token = await signToken({ sub: `stale-${suffix()}`, role: 'admin' });
      const summary = api('/analytics/summary?days=7');
      const noStore = api('/analytics/summary?days=7&no-store=1');
      const fresh = await request<Echo>(summary, { token });
      expect(fresh.status).toBe(200);
      expect((await request(noStore, { token })).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 200)); // the cache write is fire-and-forget
      await analytics.stop();
      const stale = await request<Echo>(summary, { token });
      expect([stale.status, stale.body.instance, stale.headers.get('x-cache')]).toEqual([200, 'an1', 'STALE']);
      expect(stale.headers.get('warning')).toMatch(/^110 /);
      expect((await request(noStore, { token })).status).toBe(503);
      // Another user's cache is not theirs to see.
      const stranger = await signToken({ sub: `stranger-${suffix()}`, role: 'admin' });
      expect((await request(summary, { token: stranger })).status).toBe(503);
    } finally {
      analytics.answer = undefined;
      await analytics.start();
    }
  }, 20_000);

  it('when kyc answers too slowly, then the breaker times the call out and the client gets 503 quickly', async () => {
    for (const k of kyc) k.delayAllMs = 2000;
    try {
      const token = await signToken({ sub: `slow-${suffix()}`, role: 'customer' });
      const started = Date.now();
      const res = await request(api('/applications'), { token, body: {} });
      expect(res.status).toBe(503);
      expect(Date.now() - started).toBeLessThan(1500);
    } finally {
      for (const k of kyc) k.delayAllMs = 0;
    }
  });

  it('writes JSON access logs without tokens, passwords or query strings', () => {
    const lines = logs
      .text()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const access = lines.filter((line) => line.msg === 'request');
    expect(access.length).toBeGreaterThan(10);
    expect(access[0]).toEqual(
      expect.objectContaining({
        method: expect.any(String),
        path: expect.any(String),
        status: expect.any(Number),
        requestId: expect.any(String),
      }),
    );
    const text = logs.text();
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).not.toContain('x=1');
  });
});
