// The gateway's edge attacked as an attacker would, over raw sockets where a client library would
// normalise the request: request targets that are not normalised origin-form paths (the open proxy),
// forged X-Forwarded-For (rate-limit bypass and exhaustion), Redis out of reach (limits must hold),
// deeply nested JSON (the breaker must stay closed), oversized bodies and upstream answers, PII in
// metric labels and in the stale cache, and the sticky-session cookie's flags. In-process gateway,
// stand-in upstreams, the real Redis.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startGateway } from '../../../workloads/gateway/main.js';
import type { RunningGateway } from '../../../workloads/gateway/main.js';
import { closeRedis, createRedis } from '../../../workloads/shared/index.js';
import { FakeUpstream } from './fake-upstream.js';
import { freePort } from '../../support/processes.js';
import { rawRequest } from '../../support/raw-http.js';
import type { RawResponse } from '../../support/raw-http.js';
import { captureLogs, request, requireEnv, signToken, suffix, verifierEnv } from './support.js';

/** Environment of a gateway in front of the stand-ins (`extra` wins). */
function gatewayEnv(prefix: string, upstreams: Record<string, string>, extra: Record<string, string> = {}): Record<string, string> {
  return { ...verifierEnv(), REDIS_KEY_PREFIX: prefix, RATE_LIMIT_REQUESTS: '100000', ...upstreams, ...extra };
}

/** An access token the gateway accepts. */
function tokenFor(sub: string, role: 'customer' | 'admin' = 'customer'): Promise<string> {
  return signToken({ sub, role });
}

const LOGIN = '{"email":"a@example.com","password":"correct-horse-battery"}';

function expectProblem(res: RawResponse, status: number, detail: RegExp): void {
  expect(res.status).toBe(status);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = JSON.parse(res.body) as { status: number; detail: string };
  expect(body.status).toBe(status);
  expect(body.detail).toMatch(detail);
}

describe('the gateway edge under attack', () => {
  const kyc = new FakeUpstream('kyc');
  const auth = new FakeUpstream('auth');
  /** A host an open proxy would reach on the attacker's behalf. */
  const internal = new FakeUpstream('internal');
  let gateway: RunningGateway;
  const prefix = `test-${suffix()}:`;
  const hits = (): number => kyc.hits + auth.hits + internal.hits;

  beforeAll(async () => {
    await Promise.all([kyc.start(), auth.start(), internal.start()]);
    gateway = await startGateway({
      port: 0,
      logger: captureLogs('gateway', 'warn').logger,
      env: gatewayEnv(
        prefix,
        { UPSTREAM_KYC: kyc.url, UPSTREAM_AUTH: auth.url },
        { GATEWAY_BODY_LIMIT: '256kb', GATEWAY_UPSTREAM_RESPONSE_LIMIT: '1mb', BREAKER_VOLUME_THRESHOLD: '3' },
      ),
    });
  }, 30_000);

  afterAll(async () => {
    await gateway?.close();
    await Promise.all([kyc.stop(), auth.stop(), internal.stop()]);
  }, 30_000);

  const raw = (head: string, body?: string | Buffer): Promise<RawResponse> => rawRequest(gateway.port, head, body);

  describe('request targets (the open proxy)', () => {
    it('an absolute-form target naming another host is refused with 400 before any upstream or that host is contacted', async () => {
      const before = hits();
      const res = await raw(
        `POST http://127.0.0.1:${internal.port}/api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1:${internal.port}\r\nContent-Type: application/json`,
        LOGIN,
      );
      expectProblem(res, 400, /absolute-form/);
      expect(res.headers['x-request-id']).toBeTruthy();
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      const internalPath = await raw(`GET http://127.0.0.1:${kyc.port}/metrics HTTP/1.1\r\nHost: gateway`);
      expectProblem(internalPath, 400, /absolute-form/);
      expect(hits()).toBe(before);
    });

    it('authority-form (CONNECT) and asterisk-form targets are refused with 400 problem+json', async () => {
      expectProblem(
        await raw(`CONNECT 127.0.0.1:${internal.port} HTTP/1.1\r\nHost: 127.0.0.1:${internal.port}`),
        400,
        /not a forward proxy/,
      );
      expectProblem(await raw('OPTIONS * HTTP/1.1\r\nHost: gateway'), 400, /asterisk-form/);
      expectProblem(await raw(`GET 127.0.0.1:${internal.port} HTTP/1.1\r\nHost: gateway`), 400, /not an origin-form path/);
      expect(internal.hits).toBe(0);
    });

    it.each([
      ['/api/v1/applications/../../../metrics', /dot-segment/],
      ['/api/v1/applications/../../auth/me', /dot-segment/],
      ['/api/v1/applications/%2e%2e/%2e%2e/%2e%2e/metrics', /percent-encoded/],
      ['/api/v1/applications/%2E%2e/%2E%2E/health', /percent-encoded/],
      ['/api/v1/applications/..%2f..%2f..%2fmetrics', /percent-encoded/],
      ['/api/v1/applications/..%5c..%5cmetrics', /percent-encoded/],
      ['/api/v1/applications\\..\\..\\metrics', /backslash/],
      ['/api/v1//applications/1', /empty segment/],
      ['//127.0.0.1/api/v1/applications/1', /empty segment/],
      ['/api/v1/applications/1%00', /percent-encoded/],
      ['/api/v1/applications/%0d%0aX-User-Role:%20admin', /percent-encoded/],
      // The public API reference (reference.ts) serves three fixed paths; nothing under it reaches a file.
      ['/api/v1/docs/../../../metrics', /dot-segment/],
      ['/api/v1/docs/%2e%2e/%2e%2e/package.json', /percent-encoded/],
      ['/api/v1/docs/', /ends with a slash/],
    ])('%s is refused with 400 before routing; no upstream sees it', async (target, detail) => {
      const before = hits();
      const res = await raw(`GET ${target} HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer ${await tokenFor(`dot-${suffix()}`)}`);
      expectProblem(res, 400, detail);
      expect(hits()).toBe(before);
    });

    it('a raw NUL or control character in the target gets 400 problem+json from the parser guard', async () => {
      const before = hits();
      expectProblem(await raw('GET /api/v1/applications/1\u0000/../../metrics HTTP/1.1\r\nHost: gateway'), 400, /no control characters/);
      expectProblem(await raw('GET /api/v1/applications/\u0007 HTTP/1.1\r\nHost: gateway'), 400, /no control characters/);
      expect(hits()).toBe(before);
    });

    it('a normal origin-form request still goes through, path and query unchanged', async () => {
      const res = await raw(
        `GET /api/v1/applications/0b9d6f3e?x=%2e%2e HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer ${await tokenFor(`ok-${suffix()}`)}`,
      );
      expect(res.status).toBe(200);
      expect((JSON.parse(res.body) as { path: string }).path).toBe('/api/v1/applications/0b9d6f3e?x=%2e%2e');
    });
  });

  describe('bodies and answers (cheap denial of service)', () => {
    it('a burst of deeply nested JSON bodies (with Idempotency-Keys) gets 400 each; no upstream sees one and the breaker stays closed', async () => {
      const before = hits();
      const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
      const answers = await Promise.all(
        Array.from({ length: 30 }, (_, i) =>
          raw(`POST /api/v1/auth/login HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json\r\nIdempotency-Key: deep-${i}`, deep),
        ),
      );
      for (const res of answers) expectProblem(res, 400, /deeper than 32 levels/);
      expect(hits()).toBe(before);
      expect(gateway.upstreams.get('auth')?.state()).toBe('closed');
      // The same body with a non-JSON type is no JSON parser's business: it is forwarded.
      const plain = await raw(
        'POST /api/v1/auth/login HTTP/1.1\r\nHost: gateway\r\nContent-Type: text/plain',
        '[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[',
      );
      expect(plain.status).toBe(200);
    });

    it('a body over the limit gets 413 problem+json and never reaches the upstream', async () => {
      const before = hits();
      const res = await raw(
        'POST /api/v1/auth/login HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json',
        Buffer.alloc(300 * 1024, 0x20),
      );
      expectProblem(res, 413, /too large/);
      expect(hits()).toBe(before);
    });

    it('an upstream answer over the limit is cut off: 502 problem+json, the upstream socket closed early, the breaker not charged', async () => {
      const heapBefore = process.memoryUsage().heapUsed;
      for (let i = 0; i < 5; i += 1) {
        const res = await raw('POST /api/v1/auth/login?huge=1 HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json', LOGIN);
        expectProblem(res, 502, /more than 1048576 bytes/);
        // The gateway stopped reading after 1 MiB; what the upstream got out before it noticed is socket buffers.
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(auth.hugeBytesSent).toBeLessThan(16 * 1024 * 1024);
      }
      expect(gateway.upstreams.get('auth')?.state()).toBe('closed');
      expect(process.memoryUsage().heapUsed - heapBefore).toBeLessThan(64 * 1024 * 1024);
    });
  });

  describe('metrics labels', () => {
    it('a PAN or an e-mail address in a path never becomes a label value', async () => {
      await raw('GET /api/v1/applications/ABCDE1234F HTTP/1.1\r\nHost: gateway');
      await raw('GET /api/v1/applications/ABCDE1234F/documents/asha.verma@example.com HTTP/1.1\r\nHost: gateway');
      await raw('GET /api/v1/auth/asha.verma@example.com HTTP/1.1\r\nHost: gateway');
      await raw('GET /api/v1/nowhere/ABCDE1234F HTTP/1.1\r\nHost: gateway');
      await raw('GET /ABCDE1234F HTTP/1.1\r\nHost: gateway');
      const metrics = await fetch(`${gateway.metricsUrl}/metrics`).then((r) => r.text());
      expect(metrics).toContain('route="kyc:/api/v1/applications/:id"');
      expect(metrics).toContain('route="kyc:/api/v1/applications/:id/documents/:documentId"');
      expect(metrics).toContain('route="auth:/api/v1/auth/*"');
      expect(metrics).toContain('route="unmatched"');
      // Everything outside /api/ is the web app's, under one fixed label whatever the path.
      expect(metrics).toContain('route="web-app"');
      expect(metrics).not.toContain('ABCDE1234F');
      expect(metrics).not.toContain('asha.verma');
      const routes = new Set([...metrics.matchAll(/route="([^"]*)"/g)].map((m) => m[1]));
      for (const route of routes)
        expect(route).toMatch(/^(unmatched|web-app|(auth|kyc|notification|analytics):\/api\/v1\/[a-z/:*-]+|\/[a-z/.:-]*)$/i);
    });
  });
});

describe('the gateway client address and its rate limit', () => {
  const auth = new FakeUpstream('auth');

  beforeAll(() => auth.start());
  afterAll(() => auth.stop());

  async function withGateway<T>(
    extra: Record<string, string>,
    run: (gateway: RunningGateway) => Promise<T>,
    redisUrl?: string,
  ): Promise<T> {
    const gateway = await startGateway({
      port: 0,
      logger: captureLogs('gateway', 'error').logger,
      env: gatewayEnv(
        `test-${suffix()}:`,
        { UPSTREAM_AUTH: auth.url },
        { RATE_LIMIT_REQUESTS: '5', ...extra, ...(redisUrl && { REDIS_URL: redisUrl }) },
      ),
    });
    try {
      return await run(gateway);
    } finally {
      await gateway.close();
    }
  }

  const login = (gateway: RunningGateway, headers: string): Promise<RawResponse> =>
    rawRequest(gateway.port, `POST /api/v1/auth/login HTTP/1.1\r\nHost: gateway\r\nContent-Type: application/json${headers}`, LOGIN);

  it('with no trusted proxy, a forged X-Forwarded-For per request does not buy a new budget', async () => {
    await withGateway({}, async (gateway) => {
      const statuses: number[] = [];
      for (let i = 0; i < 8; i += 1) statuses.push((await login(gateway, `\r\nX-Forwarded-For: 198.51.100.${i}`)).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
    });
  });

  it("behind a trusted proxy, a forged left-hand X-Forwarded-For neither bypasses the limit nor spends another client's budget", async () => {
    await withGateway({ GATEWAY_TRUSTED_PROXIES: '127.0.0.1, ::1' }, async (gateway) => {
      // The proxy (this test) appends the address it saw; the attacker controls only what is on its left.
      const attacker = '203.0.113.66';
      const statuses: number[] = [];
      for (let i = 0; i < 8; i += 1)
        statuses.push((await login(gateway, `\r\nX-Forwarded-For: 10.0.0.${i}, 198.51.100.7, ${attacker}`)).status);
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
      // The victim named on the left by the attacker still has its whole budget.
      expect((await login(gateway, '\r\nX-Forwarded-For: 198.51.100.7')).status).toBe(200);
      const refused = await login(gateway, `\r\nX-Forwarded-For: ${attacker}`);
      expectProblem(refused, 429, /too many requests/);
      expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    });
  });

  it('when Redis is unreachable, the limit is counted locally: still 429 after the limit, never "allow everything"', async () => {
    const port = await freePort(); // nothing listens there
    await withGateway(
      {},
      async (gateway) => {
        const statuses: number[] = [];
        for (let i = 0; i < 8; i += 1) statuses.push((await login(gateway, '')).status);
        expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
        const metrics = await fetch(`${gateway.metricsUrl}/metrics`).then((r) => r.text());
        expect(metrics).toMatch(/kyc_gateway_rate_limit_local_total\{[^}]*\} [1-9]/);
      },
      `redis://127.0.0.1:${port}`,
    );
  }, 20_000);

  it('the sticky-session cookie is HttpOnly and SameSite=Strict, and Secure when a trusted proxy says the client came over TLS', async () => {
    await withGateway({ LB_STICKY_SESSIONS: 'true', RATE_LIMIT_REQUESTS: '0', GATEWAY_TRUSTED_PROXIES: '127.0.0.1' }, async (gateway) => {
      const plain = await login(gateway, '');
      expect(plain.headers['set-cookie']).toMatch(/^kyc_affinity=auth\.[A-Za-z0-9_-]+; Path=\/; HttpOnly; SameSite=Strict$/);
      const tls = await login(gateway, '\r\nX-Forwarded-Proto: https');
      expect(tls.headers['set-cookie']).toMatch(/; HttpOnly; SameSite=Strict; Secure$/);
    });
    await withGateway({ LB_STICKY_SESSIONS: 'true', RATE_LIMIT_REQUESTS: '0' }, async (gateway) => {
      // From a peer that is not a trusted proxy, X-Forwarded-Proto is the client's word: not believed.
      const forged = await login(gateway, '\r\nX-Forwarded-Proto: https');
      expect(forged.headers['set-cookie']).not.toMatch(/Secure/);
    });
  });
});

describe('the stale cache and personal data', () => {
  const kyc = new FakeUpstream('kyc');
  const analytics = new FakeUpstream('analytics');
  const prefix = `test-${suffix()}:`;
  const applicant = { id: 'app-1', state: 'draft', applicant: { name: 'Asha Verma', pan: 'ABCPV1234F', aadhaar: 'XXXX XXXX 2346' } };
  let gateway: RunningGateway;

  beforeAll(async () => {
    await Promise.all([kyc.start(), analytics.start()]);
    kyc.answer = (path) => (path.startsWith('/api/v1/applications/') ? { body: JSON.stringify(applicant) } : undefined);
    analytics.answer = (path) =>
      path.includes('private')
        ? { headers: { 'cache-control': 'private, max-age=60' }, body: '{"counts":[{"type":"x","n":1}]}' }
        : { body: '{"counts":[{"type":"kyc.application.created","n":3}]}' };
    gateway = await startGateway({
      port: 0,
      logger: captureLogs('gateway', 'error').logger,
      env: gatewayEnv(prefix, { UPSTREAM_KYC: kyc.url, UPSTREAM_ANALYTICS: analytics.url }),
    });
  }, 30_000);

  afterAll(async () => {
    await gateway?.close();
    await Promise.all([kyc.stop(), analytics.stop()]);
  });

  it("after GETs of an application and its document, nothing the gateway keeps in Redis holds the applicant's name or PAN; only the impersonal summary is kept", async () => {
    const token = await tokenFor(`pii-${suffix()}`, 'admin');
    for (const path of [
      '/applications/app-1',
      '/applications/app-1/documents/doc-1',
      '/analytics/summary',
      '/analytics/summary?private=1',
    ]) {
      expect((await request(`${gateway.url}/api/v1${path}`, { token })).status).toBe(200);
    }
    await new Promise((resolve) => setTimeout(resolve, 300)); // cache writes are fire-and-forget
    const redis = createRedis(requireEnv('REDIS_URL'), { connectionName: 'gateway-edge-test' });
    try {
      // Every key of this gateway (stale cache, rate limits), whatever its type.
      const keys = await redis.keys(`${prefix}gw:*`);
      const dumps = await Promise.all(keys.map(async (key) => `${key} ${(await redis.dump(key)) ?? ''}`));
      const everything = dumps.join('\n');
      expect(everything).not.toContain('Asha');
      expect(everything).not.toContain('ABCPV1234F');
      expect(everything).not.toContain('XXXX XXXX');
      // Exactly one cache entry: the summary; the `private` answer was not stored either.
      const cached = await Promise.all(keys.filter((key) => key.includes('stale:')).map((key) => redis.get(key)));
      expect(cached).toHaveLength(1);
      expect(cached[0]).toContain('kyc.application.created');
    } finally {
      await closeRedis(redis);
    }
  });
});

describe('the upstream connection', () => {
  it('goes to the configured instance even when the client names another host in Host', async () => {
    const kyc = new FakeUpstream('kyc');
    const internal = http.createServer((_req, res) => res.end('internal'));
    await kyc.start();
    await new Promise<void>((resolve) => internal.listen(0, '127.0.0.1', resolve));
    let internalHits = 0;
    internal.on('request', () => (internalHits += 1));
    const gateway = await startGateway({
      port: 0,
      logger: captureLogs('gateway', 'error').logger,
      env: gatewayEnv(`test-${suffix()}:`, { UPSTREAM_KYC: kyc.url }),
    });
    try {
      const port = (internal.address() as AddressInfo).port;
      const res = await rawRequest(
        gateway.port,
        `GET /api/v1/applications/1 HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAuthorization: Bearer ${await tokenFor(`host-${suffix()}`)}`,
      );
      expect(res.status).toBe(200);
      expect((JSON.parse(res.body) as { instance: string }).instance).toBe('kyc');
      expect(internalHits).toBe(0);
    } finally {
      await gateway.close();
      await kyc.stop();
      internal.closeAllConnections();
      await new Promise((resolve) => internal.close(resolve));
    }
  });
});
