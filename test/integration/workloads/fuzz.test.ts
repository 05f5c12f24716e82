// Property-based fuzzing (fast-check) of every public route of the gateway, auth, notification and
// analytics services, through the gateway as clients reach them: thousands of malformed bodies,
// headers, ids and query strings must only ever produce 4xx (never 5xx, never a crash), and what
// was accepted before the storm must still be there after it. Over raw sockets, request targets no
// client library would send (absolute-form, authority-form, dot-segments plain and percent-encoded,
// backslashes, double slashes), deeply nested JSON and oversized bodies must get exactly 400 / 413.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { startAnalytics } from '../../../workloads/analytics/main.js';
import type { RunningAnalytics } from '../../../workloads/analytics/main.js';
import { startAuth } from '../../../workloads/auth/main.js';
import type { RunningAuth } from '../../../workloads/auth/main.js';
import { startGateway } from '../../../workloads/gateway/main.js';
import type { RunningGateway } from '../../../workloads/gateway/main.js';
import { startNotification } from '../../../workloads/notification/main.js';
import type { RunningNotification } from '../../../workloads/notification/main.js';
import { SIGNING_KEYS, captureLogs, createTestDatabase, request, requireEnv, signToken, suffix, verifierEnv } from './support.js';
import type { TestDatabase } from './support.js';
import { rawRequest } from '../../support/raw-http.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 400);
const ADMIN = { email: 'fuzz-admin@bank.example', password: 'fuzz-admin-password' };
const USER = { email: 'fuzz-user@example.com', password: 'fuzz-user-password' };

const printable = (max: number): fc.Arbitrary<string> => fc.stringMatching(new RegExp(`^[\\x20-\\x7e]{0,${max}}$`));
const token = fc.oneof(
  printable(60),
  fc.constant('Bearer '),
  printable(40).map((t) => `Bearer ${t}`),
  fc.constant('Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4Iiwicm9sZSI6ImFkbWluIn0.'),
);
const contentType = fc.constantFrom(
  'application/json',
  'application/json; charset=utf-8',
  'application/problem+json',
  'text/plain',
  'application/x-www-form-urlencoded',
  'application/json; charset=latin1',
  '',
);
const jsonBody = fc.oneof(
  fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
  fc
    .record(
      {
        email: fc.oneof(fc.string(), fc.jsonValue({ maxDepth: 1 }), fc.emailAddress()),
        password: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
      },
      { requiredKeys: [] },
    )
    .map((v) => JSON.stringify(v)),
  fc
    .record({ refreshToken: fc.oneof(fc.string({ maxLength: 300 }), fc.constant('a'.repeat(22) + '.' + 'b'.repeat(43))) })
    .map((v) => JSON.stringify(v)),
  fc
    .record(
      {
        email: fc.emailAddress(),
        password: fc.string({ maxLength: 200 }),
        role: fc.oneof(fc.string(), fc.constantFrom('maker', 'checker', 'admin', 'customer')),
        name: fc.jsonValue({ maxDepth: 1 }),
      },
      { requiredKeys: [] },
    )
    .map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 300 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
);
const method = fc.constantFrom('GET', 'POST', 'PATCH', 'PUT', 'DELETE', 'OPTIONS', 'HEAD');
const segment = fc.oneof(
  fc.string({ maxLength: 40 }).map(encodeURIComponent),
  fc.uuid(),
  fc.constantFrom('..', '%2e%2e', '%00', '%ZZ', '', 'users', 'summary'),
);
const path = fc.oneof(
  fc.constantFrom(
    '/api/v1/auth/register',
    '/api/v1/auth/login',
    '/api/v1/auth/refresh',
    '/api/v1/auth/logout',
    '/api/v1/auth/me',
    '/api/v1/admin/users',
    '/api/v1/notifications',
    '/api/v1/analytics/summary',
    '/api/v1/openapi.json',
  ),
  fc
    .tuple(
      fc.constantFrom(
        '/api/v1/auth/',
        '/api/v1/admin/',
        '/api/v1/admin/users/',
        '/api/v1/analytics/',
        '/api/v1/notifications/',
        '/api/v1/',
        '/',
      ),
      segment,
    )
    .map(([a, b]) => a + b),
);
const query = fc.option(
  fc.dictionary(
    fc.constantFrom('role', 'limit', 'days', 'x', 'limit[]', '__proto__'),
    fc.oneof(fc.string({ maxLength: 20 }), fc.integer().map(String)),
  ),
  { nil: undefined },
);

describe('fuzzing the public routes', () => {
  let db: TestDatabase;
  let auth: RunningAuth;
  let notification: RunningNotification;
  let analytics: RunningAnalytics;
  let gateway: RunningGateway;
  let adminToken: string;
  let userRefresh: string;
  const logs = captureLogs('fuzz', 'error');

  beforeAll(async () => {
    db = await createTestDatabase();
    const prefix = `test-${suffix()}.`;
    const common = {
      DATABASE_URL: db.url,
      KAFKA_BROKERS: requireEnv('KAFKA_BROKERS'),
      KAFKA_TOPIC_PREFIX: prefix,
      REDIS_KEY_PREFIX: `test-${suffix()}:`,
      AUTH_SIGNING_KEYS: SIGNING_KEYS,
      ...verifierEnv(),
    };
    [auth, notification, analytics] = await Promise.all([
      startAuth({
        port: 0,
        host: '127.0.0.1',
        logger: logs.logger,
        env: {
          ...common,
          AUTH_SCRYPT_COST: '1024',
          AUTH_LOGIN_RATE_LIMIT: '100000',
          ADMIN_EMAIL: ADMIN.email,
          ADMIN_PASSWORD: ADMIN.password,
        },
      }),
      startNotification({ port: 0, host: '127.0.0.1', logger: logs.logger, env: common }),
      startAnalytics({ port: 0, host: '127.0.0.1', logger: logs.logger, env: common }),
    ]);
    gateway = await startGateway({
      port: 0,
      host: '127.0.0.1',
      logger: logs.logger,
      env: {
        ...common,
        UPSTREAM_AUTH: auth.url,
        UPSTREAM_NOTIFICATION: notification.url,
        UPSTREAM_ANALYTICS: analytics.url,
        RATE_LIMIT_REQUESTS: '1000000',
        GATEWAY_BODY_LIMIT: '64kb',
      },
    });
    // What must survive: an account, its refresh token, and the admin.
    expect((await request(`${gateway.url}/api/v1/auth/register`, { body: USER })).status).toBe(202);
    const login = await request<{ refreshToken: string }>(`${gateway.url}/api/v1/auth/login`, { body: USER });
    userRefresh = login.body.refreshToken;
    adminToken = (await request<{ accessToken: string }>(`${gateway.url}/api/v1/auth/login`, { body: ADMIN })).body.accessToken;
  }, 90_000);

  afterAll(async () => {
    await gateway?.close();
    await Promise.all([auth?.close(), notification?.close(), analytics?.close()]);
    await db?.drop();
  }, 60_000);

  /** A new admin access token (a logout in the storm revokes the access token that calls it). */
  async function freshAdminToken(): Promise<string> {
    return (await request<{ accessToken: string }>(`${gateway.url}/api/v1/auth/login`, { body: ADMIN })).body.accessToken;
  }

  async function send(m: string, p: string, headers: Record<string, string>, body?: string): Promise<number> {
    const res = await fetch(`${gateway.url}${p}`, {
      method: m,
      headers,
      ...(body !== undefined && m !== 'GET' && m !== 'HEAD' && { body }),
    });
    await res.arrayBuffer();
    return res.status;
  }

  const statuses = new Map<number, number>();
  const expectNo5xx = (status: number, what: string): void => {
    statuses.set(status, (statuses.get(status) ?? 0) + 1);
    if (status >= 500) throw new Error(`${what} answered ${status}`);
  };

  it('arbitrary methods, paths, query strings, headers and bodies never produce a 5xx', async () => {
    await fc.assert(
      fc.asyncProperty(
        method,
        path,
        query,
        fc.option(token, { nil: undefined }),
        contentType,
        jsonBody,
        printable(80),
        async (m, p, q, auth, type, body, idem) => {
          const headers: Record<string, string> = {};
          if (auth !== undefined) headers.authorization = auth;
          if (type) headers['content-type'] = type;
          if (idem) headers['idempotency-key'] = idem;
          const url = q ? `${p}?${new URLSearchParams(q).toString()}` : p;
          expectNo5xx(await send(m, url, headers, body), `${m} ${url}`);
        },
      ),
      { numRuns: RUNS * 3 },
    );
  }, 240_000);

  it('authenticated callers (admin, customer, staff) with malformed input on every route never get a 5xx', async () => {
    const customer = await signToken({ sub: `fuzz-${suffix()}`, role: 'customer' });
    const staff = await signToken({ sub: `fuzz-${suffix()}`, role: 'maker' });
    const stormAdmin = await freshAdminToken();
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(
          'POST /api/v1/admin/users',
          'GET /api/v1/admin/users',
          'GET /api/v1/auth/me',
          'GET /api/v1/notifications',
          'GET /api/v1/analytics/summary',
          'POST /api/v1/auth/refresh',
          'POST /api/v1/auth/logout',
          'POST /api/v1/auth/register',
        ),
        fc.constantFrom(stormAdmin, customer, staff),
        query,
        jsonBody,
        fc.option(printable(300), { nil: undefined }),
        fc.option(printable(100), { nil: undefined }),
        async (route, bearer, q, body, idem, cookie) => {
          const [m = 'GET', p = '/'] = route.split(' ');
          const headers: Record<string, string> = { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' };
          if (idem) headers['idempotency-key'] = idem;
          if (cookie) headers.cookie = cookie;
          const url = q ? `${p}?${new URLSearchParams(q).toString()}` : p;
          expectNo5xx(await send(m, url, headers, body), `${m} ${url}`);
        },
      ),
      { numRuns: RUNS * 2 },
    );
  }, 240_000);

  it('request targets that are not normalised origin-form paths, deeply nested JSON and oversized bodies get exactly 400 / 413 problem+json over raw sockets', async () => {
    const dotSegment = fc.constantFrom('..', '.', '%2e%2e', '%2E%2e', '.%2e', '%2e', '..%2f..', '..%5c..', '%2f', '%5C', '%00', '%0a', '');
    const tail = fc
      .array(fc.constantFrom('metrics', 'health', 'auth', 'login', 'admin', 'users', '.well-known', 'jwks.json'), { maxLength: 3 })
      .map((parts) => parts.join('/'));
    const badTarget = fc.oneof(
      // Absolute-form: a scheme and a host, then any path (the open proxy).
      fc
        .tuple(
          fc.constantFrom('http', 'HTTP', 'https', 'ftp', 'gopher'),
          fc.constantFrom('127.0.0.1:9090', 'evil.example', '[::1]:8080', 'kyc-dev-kyc:8080', 'localhost'),
          path,
        )
        .map(([scheme, hostPort, p]) => `${scheme}://${hostPort}${p}`),
      // Dot-segments and friends somewhere under a routed prefix.
      fc
        .tuple(
          fc.constantFrom('/api/v1/applications/', '/api/v1/auth/', '/api/v1/admin/users/', '/api/v1/analytics/', '/api/v1/'),
          fc.array(dotSegment, { minLength: 1, maxLength: 4 }),
          tail,
        )
        .map(([prefix, dots, rest]) => `${prefix}${dots.join('/')}/${rest}`),
      fc.tuple(path, fc.constantFrom('\\', '//', '/./', '/../')).map(([p, inject]) => `${p}${inject}metrics`),
      fc.constant('*'),
    );
    await fc.assert(
      fc.asyncProperty(method, badTarget, async (m, target) => {
        const answer = await rawRequest(gateway.port, `${m} ${target} HTTP/1.1\r\nHost: gateway`);
        expectNo5xx(answer.status, `${m} ${target}`);
        // Every such target is refused before routing (a target that happens to be clean, e.g. an empty
        // dot list that left `/api/v1/auth//x`, is still refused for its empty segment).
        if (answer.status !== 400) throw new Error(`${m} ${target} answered ${answer.status}, not 400`);
        expect(answer.headers['content-type']).toMatch(/^application\/problem\+json/);
      }),
      { numRuns: RUNS },
    );
    const admin = await freshAdminToken();
    const depth = fc.integer({ min: 33, max: 50_000 });
    const openers = fc.constantFrom('[', '{"a":', '[{"b":', '{"x":[');
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('/api/v1/auth/login', '/api/v1/auth/register', '/api/v1/auth/refresh', '/api/v1/admin/users'),
        depth,
        openers,
        fc.constantFrom('application/json', 'application/merge-patch+json', 'application/json; charset=utf-8'),
        async (p, n, open, type) => {
          const body = open.repeat(n);
          const answer = await rawRequest(
            gateway.port,
            `POST ${p} HTTP/1.1\r\nHost: gateway\r\nContent-Type: ${type}\r\nIdempotency-Key: ${suffix()}\r\nAuthorization: Bearer ${admin}`,
            body,
          );
          expectNo5xx(answer.status, `deep ${p}`);
          // Bodies over the 64 KiB limit of this gateway are refused for their size first.
          const expected = Buffer.byteLength(body) > 64 * 1024 ? 413 : 400;
          if (answer.status !== expected)
            throw new Error(
              `a body nested ${n} deep (${Buffer.byteLength(body)} bytes) to ${p} answered ${answer.status}, not ${expected}`,
            );
        },
      ),
      { numRuns: Math.ceil(RUNS / 4) },
    );
  }, 240_000);

  it('after the storm, everything accepted before is still there and the services are healthy', async () => {
    const refreshed = await request<{ refreshToken: string }>(`${gateway.url}/api/v1/auth/refresh`, {
      body: { refreshToken: userRefresh },
    });
    expect(refreshed.status).toBe(200);
    expect((await request(`${gateway.url}/api/v1/auth/login`, { body: USER })).status).toBe(200);
    const users = await request<{ items: Array<{ email: string }> }>(`${gateway.url}/api/v1/admin/users?limit=200`, { token: adminToken });
    expect(users.body.items.map((u) => u.email)).toEqual(expect.arrayContaining([USER.email, ADMIN.email]));
    for (const { metricsUrl } of [gateway, auth, notification, analytics]) expect((await request(`${metricsUrl}/health`)).status).toBe(200);
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThanOrEqual(RUNS * 5);
    expect([...statuses.keys()].every((s) => s < 500)).toBe(true);
  });
});
