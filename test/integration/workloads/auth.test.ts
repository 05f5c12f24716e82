// Component tests of the auth service: the real server in-process on port 0 against real PostgreSQL
// (a private database) and Redis (a private key prefix).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startAuth } from '../../../workloads/auth/main.js';
import type { RunningAuth } from '../../../workloads/auth/main.js';
import { verifyAccessToken } from '../../../workloads/shared/index.js';
import { JWT_SECRET, captureLogs, createTestDatabase, request, requireEnv, suffix } from './support.js';
import type { TestDatabase } from './support.js';
import { TcpProxy } from './tcp-proxy.js';

const ADMIN = { email: 'admin@bank.example', password: 'admin-password-123' };
const CUSTOMER = { email: 'asha@example.com', password: 'customer-password-1' };

type Tokens = { accessToken: string; refreshToken: string; user: { id: string; role: string } };

describe('auth service', () => {
  let db: TestDatabase;
  let auth: RunningAuth;
  let proxy: TcpProxy;
  const logs = captureLogs('auth');
  const secrets: string[] = [ADMIN.password, CUSTOMER.password];

  beforeAll(async () => {
    db = await createTestDatabase();
    const target = new URL(db.url);
    proxy = new TcpProxy(target.hostname, Number(target.port));
    await proxy.start();
    target.port = String(proxy.port);
    auth = await startAuth({
      port: 0,
      logger: logs.logger,
      env: {
        DATABASE_URL: target.toString(),
        REDIS_URL: requireEnv('REDIS_URL'),
        REDIS_KEY_PREFIX: `test-${suffix()}:`,
        AUTH_JWT_SECRET: JWT_SECRET,
        ADMIN_EMAIL: ADMIN.email,
        ADMIN_PASSWORD: ADMIN.password,
        AUTH_SCRYPT_COST: '1024',
        AUTH_MAX_FAILED_LOGINS: '3',
        LOG_LEVEL: 'debug',
      },
    });
  }, 60_000);

  afterAll(async () => {
    await auth?.close();
    await proxy?.stop();
    await db?.drop();
  }, 60_000);

  const url = (path: string): string => `${auth.url}${path}`;
  const login = async (credentials: { email: string; password: string }): Promise<Tokens> => {
    const res = await request<Tokens>(url('/api/v1/auth/login'), { body: credentials });
    expect(res.status).toBe(200);
    secrets.push(res.body.accessToken, res.body.refreshToken);
    return res.body;
  };

  it('when a customer registers and logs in, then the access token carries their id and role', async () => {
    const registered = await request(url('/api/v1/auth/register'), { body: CUSTOMER });
    expect(registered.status).toBe(201);
    expect(registered.body).toMatchObject({ email: CUSTOMER.email, role: 'customer' });
    expect(registered.text).not.toContain('password');
    const tokens = await login(CUSTOMER);
    expect(await verifyAccessToken(tokens.accessToken, JWT_SECRET)).toEqual({ sub: registered.body.id, role: 'customer' });
    const me = await request(url('/api/v1/auth/me'), { token: tokens.accessToken });
    expect(me.body).toMatchObject({ email: CUSTOMER.email, role: 'customer' });
  });

  it('when the email is taken or malformed or the password short, then the problem names the field', async () => {
    const taken = await request(url('/api/v1/auth/register'), { body: CUSTOMER });
    expect(taken.status).toBe(409);
    expect(taken.headers.get('content-type')).toMatch(/application\/problem\+json/);
    expect(taken.body).toMatchObject({ field: 'email' });
    const badEmail = await request(url('/api/v1/auth/register'), { body: { email: 'nope', password: 'long-enough-password' } });
    expect([badEmail.status, badEmail.body.field]).toEqual([422, 'email']);
    const shortPassword = await request(url('/api/v1/auth/register'), { body: { email: 'b@example.com', password: 'short' } });
    expect([shortPassword.status, shortPassword.body.field]).toEqual([422, 'password']);
    const wrong = await request(url('/api/v1/auth/login'), { body: { ...CUSTOMER, password: 'wrong-password-1' } });
    expect(wrong.status).toBe(401);
  });

  it('when a refresh token is used, then it rotates; reusing the old one revokes the whole family', async () => {
    const first = await login(CUSTOMER);
    const second = await request<Tokens>(url('/api/v1/auth/refresh'), { body: { refreshToken: first.refreshToken } });
    expect(second.status).toBe(200);
    secrets.push(second.body.accessToken, second.body.refreshToken);
    expect(second.body.refreshToken).not.toBe(first.refreshToken);
    const reuse = await request(url('/api/v1/auth/refresh'), { body: { refreshToken: first.refreshToken } });
    expect(reuse.status).toBe(401);
    const afterReuse = await request(url('/api/v1/auth/refresh'), { body: { refreshToken: second.body.refreshToken } });
    expect(afterReuse.status).toBe(401);
  });

  it('when a user logs out, then their refresh token no longer works', async () => {
    const tokens = await login(CUSTOMER);
    expect((await request(url('/api/v1/auth/logout'), { body: { refreshToken: tokens.refreshToken } })).status).toBe(204);
    expect((await request(url('/api/v1/auth/refresh'), { body: { refreshToken: tokens.refreshToken } })).status).toBe(401);
  });

  it('when a password is wrong too often, then the account is locked even for the right password', async () => {
    const victim = { email: `victim-${suffix()}@example.com`, password: 'victim-password-1' };
    secrets.push(victim.password);
    expect((await request(url('/api/v1/auth/register'), { body: victim })).status).toBe(201);
    for (let i = 0; i < 3; i += 1) {
      expect((await request(url('/api/v1/auth/login'), { body: { ...victim, password: `wrong-password-${i}` } })).status).toBe(401);
    }
    const locked = await request(url('/api/v1/auth/login'), { body: victim });
    expect(locked.status).toBe(423);
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0);
  });

  it('when staff are created, then only an admin may do it and roles are enforced', async () => {
    const staff = { email: 'maker@bank.example', password: 'maker-password-12', role: 'maker' };
    secrets.push(staff.password);
    expect((await request(url('/api/v1/admin/users'), { body: staff })).status).toBe(401);
    const customer = await login(CUSTOMER);
    expect((await request(url('/api/v1/admin/users'), { body: staff, token: customer.accessToken })).status).toBe(403);
    const admin = await login(ADMIN);
    const created = await request(url('/api/v1/admin/users'), { body: staff, token: admin.accessToken });
    expect(created.status).toBe(201);
    const badRole = await request(url('/api/v1/admin/users'), { body: { ...staff, email: 'x@bank.example', role: 'root' }, token: admin.accessToken });
    expect([badRole.status, badRole.body.field]).toEqual([422, 'role']);
    const maker = await login({ email: staff.email, password: staff.password });
    expect(maker.user.role).toBe('maker');
    const listed = await request<{ items: Array<{ email: string }> }>(url('/api/v1/admin/users?role=maker'), { token: admin.accessToken });
    expect(listed.body.items.map((u) => u.email)).toContain(staff.email);
    const forged = await request(url('/api/v1/admin/users'), { body: staff, headers: { authorization: 'Bearer not-a-token' } });
    expect(forged.status).toBe(401);
  });

  it('when a POST repeats its Idempotency-Key, then the first response is replayed; a different body is a 422', async () => {
    const key = `key-${suffix()}`;
    const body = { email: `idem-${suffix()}@example.com`, password: 'idem-password-12' };
    secrets.push(body.password);
    const first = await request(url('/api/v1/auth/register'), { body, headers: { 'idempotency-key': key } });
    const again = await request(url('/api/v1/auth/register'), { body, headers: { 'idempotency-key': key } });
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const different = await request(url('/api/v1/auth/register'), { body: { ...body, name: 'Other' }, headers: { 'idempotency-key': key } });
    expect([different.status, different.body.field]).toEqual([422, 'Idempotency-Key']);
  });

  it('exposes /ready, and /health and /metrics on the metrics port only', async () => {
    const health = await request(`${auth.metricsUrl}/health`);
    expect(health.status).toBe(200);
    expect(health.body).toMatchObject({ message: 'OK', checks: { database: 'OK', cache: 'OK', externalAPIs: 'OK' } });
    expect(typeof health.body.uptime).toBe('number');
    expect(typeof health.body.timestamp).toBe('number');
    expect((await request(url('/ready'))).status).toBe(200);
    const metrics = await fetch(`${auth.metricsUrl}/metrics`).then((r) => r.text());
    for (const path of ['/health', '/metrics']) expect((await request(url(path))).status).toBe(404);
    expect(metrics).toMatch(/kyc_http_requests_total\{[^}]*route="\/api\/v1\/auth\/login"/);
    expect(metrics).toContain('kyc_http_request_duration_seconds_bucket');
    expect(metrics).toContain('kyc_db_pool_connections');
    expect(metrics).toContain('kyc_auth_logins_total');
  });

  it('when PostgreSQL becomes unreachable, then /health is 503, and 200 once it is back', async () => {
    await proxy.stop();
    const down = await request(`${auth.metricsUrl}/health`);
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ message: 'ERROR', checks: { database: 'ERROR', cache: 'OK' } });
    await proxy.start();
    const up = await request(`${auth.metricsUrl}/health`);
    expect(up.status).toBe(200);
  }, 30_000);

  it('never writes passwords or tokens to the logs', () => {
    const text = logs.text();
    expect(text.length).toBeGreaterThan(0);
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\./);
  });
});
