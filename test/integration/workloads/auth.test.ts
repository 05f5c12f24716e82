// Component tests of the auth service: the real server in-process on port 0 against real PostgreSQL (a
// private database) and Redis (a private key prefix). The attacks on sign-in (docs/security.md, 3-5):
// guessing passwords to lock a victim out, mass sign-ups, probing which emails have accounts, replaying
// token requests and reading the replay table, keeping a login alive forever, one person as maker and
// checker.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import pg from 'pg';
import { startAuth } from '../../../workloads/auth/main.js';
import type { RunningAuth } from '../../../workloads/auth/main.js';
import { hashPassword } from '../../../workloads/auth/domain/passwords.js';
import { JwksKeySource, TokenVerifier } from '../../../workloads/shared/index.js';
import { SIGNING_KEYS, captureLogs, createTestDatabase, eventually, request, requireEnv, suffix } from './support.js';
import type { TestDatabase } from './support.js';
import { TcpProxy } from './tcp-proxy.js';

const ADMIN = { email: 'admin@bank.example', password: 'admin-password-123' };
const CUSTOMER = { email: 'asha@example.com', password: 'customer-password-1' };
/** The login lifetime this suite configures (AUTH_REFRESH_FAMILY_MAX_SECONDS), short enough to outlive. */
const FAMILY_MAX_SECONDS = 6;

type Tokens = { accessToken: string; refreshToken: string; user: { id: string; role: string } };
const from = (address: string): Record<string, string> => ({ 'x-forwarded-for': address });

describe('auth service', () => {
  let db: TestDatabase;
  let auth: RunningAuth;
  let proxy: TcpProxy;
  const logs = captureLogs('auth');
  const secrets: string[] = [ADMIN.password, CUSTOMER.password];

  beforeAll(async () => {
    db = await createTestDatabase();
    const proxied = await TcpProxy.inFrontOf(db.url);
    proxy = proxied.proxy;
    auth = await startAuth({
      port: 0,
      logger: logs.logger,
      env: {
        DATABASE_URL: proxied.url,
        REDIS_URL: requireEnv('REDIS_URL'),
        REDIS_KEY_PREFIX: `test-${suffix()}:`,
        AUTH_SIGNING_KEYS: SIGNING_KEYS,
        ADMIN_EMAIL: ADMIN.email,
        ADMIN_PASSWORD: ADMIN.password,
        // Above the 1024 the old-hash test writes, so a login must re-hash it.
        AUTH_SCRYPT_COST: '2048',
        AUTH_REGISTRATIONS_PER_HOUR: '5',
        AUTH_REFRESH_FAMILY_MAX_SECONDS: String(FAMILY_MAX_SECONDS),
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
  /** A statement on the suite's own database (out of band: what another replica or an operator did). */
  const sql = async <R extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<R[]> => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      return (await client.query<R>(text, values)).rows;
    } finally {
      await client.end();
    }
  };
  const accountChanges = (userId: string) =>
    sql<{ actor_id: string; action: string; role_before: string; role_after: string }>(
      'SELECT actor_id, action, role_before, role_after FROM auth.account_changes WHERE user_id = $1 ORDER BY id',
      [userId],
    );
  const login = async (credentials: { email: string; password: string }, headers: Record<string, string> = {}): Promise<Tokens> => {
    const res = await request<Tokens>(url('/api/v1/auth/login'), { body: credentials, headers });
    expect(res.status).toBe(200);
    secrets.push(res.body.accessToken, res.body.refreshToken);
    return res.body;
  };

  it('when a customer registers and logs in, then the access token is EdDSA-signed with a kid from the published JWKS', async () => {
    const registered = await request(url('/api/v1/auth/register'), { body: CUSTOMER, headers: from('192.0.2.1') });
    expect(registered.status).toBe(202);
    expect(registered.text).not.toContain(CUSTOMER.password);
    const tokens = await login(CUSTOMER);
    const header = JSON.parse(Buffer.from(tokens.accessToken.split('.')[0] ?? '', 'base64url').toString()) as Record<string, unknown>;
    expect(header).toEqual({ alg: 'EdDSA', typ: 'JWT', kid: 'test-1' });
    const jwks = await request<{ keys: Array<Record<string, unknown>> }>(url('/.well-known/jwks.json'));
    expect(jwks.headers.get('cache-control')).toMatch(/max-age=\d+/);
    expect(jwks.body.keys.map((k) => Object.keys(k).sort())).toEqual([['alg', 'crv', 'kid', 'kty', 'use', 'x']]);
    const keys = new JwksKeySource(url('/.well-known/jwks.json'), { refreshMs: 60_000, minRefreshMs: 1000, logger: logs.logger });
    await keys.start();
    keys.close();
    expect(new TokenVerifier(keys).check(tokens.accessToken)).toEqual({ ok: true, principal: { sub: tokens.user.id, role: 'customer' } });
    const me = await request(url('/api/v1/auth/me'), { token: tokens.accessToken });
    expect(me.body).toMatchObject({ email: CUSTOMER.email, role: 'customer' });
  });

  it('when someone signs up with an email that already has an account, then the answer is the same as for a new one', async () => {
    const fresh = await request(url('/api/v1/auth/register'), {
      body: { email: `new-${suffix()}@example.com`, password: 'fresh-password-12' },
      headers: from('192.0.2.2'),
    });
    const taken = await request(url('/api/v1/auth/register'), {
      body: { ...CUSTOMER, password: 'another-password-1' },
      headers: from('192.0.2.2'),
    });
    expect([taken.status, taken.body]).toEqual([fresh.status, fresh.body]);
    expect(taken.status).toBe(202);
    expect(taken.headers.get('location')).toBeNull();
    // The existing account is untouched: its own password still works, the attempted one does not.
    expect(
      (await request(url('/api/v1/auth/login'), { body: { ...CUSTOMER, password: 'another-password-1' }, headers: from('192.0.2.3') }))
        .status,
    ).toBe(401);
    expect((await login(CUSTOMER)).user.role).toBe('customer');
  });

  it('when the email is malformed or the password short, then the problem names the field', async () => {
    const badEmail = await request(url('/api/v1/auth/register'), { body: { email: 'nope', password: 'long-enough-password' } });
    expect([badEmail.status, badEmail.body.field]).toEqual([422, 'email']);
    const shortPassword = await request(url('/api/v1/auth/register'), { body: { email: 'b@example.com', password: 'short' } });
    expect([shortPassword.status, shortPassword.body.field]).toEqual([422, 'password']);
  });

  it('when one address signs up more often than the hourly limit, then it gets 429 with Retry-After and other addresses do not', async () => {
    const address = '198.51.100.200';
    const statuses: number[] = [];
    for (let i = 0; i < 6; i += 1) {
      statuses.push(
        (
          await request(url('/api/v1/auth/register'), {
            body: { email: `mass-${suffix()}@example.com`, password: 'mass-password-123' },
            headers: from(address),
          })
        ).status,
      );
    }
    expect(statuses).toEqual([202, 202, 202, 202, 202, 429]);
    const limited = await request(url('/api/v1/auth/register'), {
      body: { email: `mass-${suffix()}@example.com`, password: 'mass-password-123' },
      headers: from(address),
    });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(
      (
        await request(url('/api/v1/auth/register'), {
          body: { email: `other-${suffix()}@example.com`, password: 'other-password-123' },
          headers: from('198.51.100.201'),
        })
      ).status,
    ).toBe(202);
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
    // The family's access tokens are revoked too.
    await eventually(
      async () => ((await request(url('/api/v1/auth/me'), { token: second.body.accessToken })).status === 401 ? true : undefined),
      5000,
    );
  });

  it('when a user logs out, then their refresh token and their access token no longer work', async () => {
    const tokens = await login(CUSTOMER);
    expect((await request(url('/api/v1/auth/me'), { token: tokens.accessToken })).status).toBe(200);
    expect(
      (await request(url('/api/v1/auth/logout'), { body: { refreshToken: tokens.refreshToken }, token: tokens.accessToken })).status,
    ).toBe(204);
    expect((await request(url('/api/v1/auth/refresh'), { body: { refreshToken: tokens.refreshToken } })).status).toBe(401);
    const me = await request(url('/api/v1/auth/me'), { token: tokens.accessToken });
    expect(me.status).toBe(401);
    expect(me.body.detail).toMatch(/revoked/);
    // A logout carrying a stale access token still ends the login.
    const again = await login(CUSTOMER);
    expect(
      (await request(url('/api/v1/auth/logout'), { body: { refreshToken: again.refreshToken }, token: tokens.accessToken })).status,
    ).toBe(204);
    expect((await request(url('/api/v1/auth/refresh'), { body: { refreshToken: again.refreshToken } })).status).toBe(401);
  });

  it('when a login is older than its absolute lifetime, then refresh fails although each refresh token was fresh', async () => {
    const first = await login(CUSTOMER);
    const started = Date.now();
    let current = first.refreshToken;
    // Keep refreshing (every token used well within its idle limit) past the login's lifetime.
    while (Date.now() - started < (FAMILY_MAX_SECONDS - 2) * 1000) {
      const next = await request<Tokens>(url('/api/v1/auth/refresh'), { body: { refreshToken: current } });
      expect(next.status).toBe(200);
      current = next.body.refreshToken;
      secrets.push(next.body.accessToken, current);
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, started + FAMILY_MAX_SECONDS * 1000 + 200 - Date.now())));
    expect((await request(url('/api/v1/auth/refresh'), { body: { refreshToken: current } })).status).toBe(401);
  }, 20_000);

  it('when an attacker at one address fails logins, then the delay grows for them only; the owner at another address signs in', async () => {
    const victim = { email: `victim-${suffix()}@example.com`, password: 'victim-password-1' };
    secrets.push(victim.password);
    expect((await request(url('/api/v1/auth/register'), { body: victim, headers: from('192.0.2.10') })).status).toBe(202);
    const attacker = from('203.0.113.66');
    const delays: number[] = [];
    for (let i = 0; i < 3; i += 1) {
      const failed = await request(url('/api/v1/auth/login'), { body: { ...victim, password: `wrong-password-${i}` }, headers: attacker });
      expect(failed.status).toBe(401);
      const delay = Number(failed.headers.get('retry-after'));
      delays.push(delay);
      // Trying again at once is refused before the password is even looked at.
      const early = await request(url('/api/v1/auth/login'), { body: victim, headers: attacker });
      expect(early.status).toBe(429);
      expect(Number(early.headers.get('retry-after'))).toBeGreaterThan(0);
      await new Promise((resolve) => setTimeout(resolve, delay * 1000 + 100));
    }
    expect(delays).toEqual([1, 2, 4]);
    // The attacker's guesses never locked the account: its owner, elsewhere, signs in.
    const owner = await request<Tokens>(url('/api/v1/auth/login'), { body: victim, headers: from('198.51.100.7') });
    expect(owner.status).toBe(200);
    secrets.push(owner.body.accessToken, owner.body.refreshToken);
  }, 30_000);

  it('when a user with a hash of older scrypt parameters signs in, then the stored hash is redone with the current ones', async () => {
    const user = { email: `legacy-${suffix()}@example.com`, password: 'legacy-password-1' };
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      await client.query(`INSERT INTO auth.users (id, email, password_hash, role) VALUES (gen_random_uuid(), $1, $2, 'customer')`, [
        user.email,
        await hashPassword(user.password, 1024),
      ]);
      expect((await login(user)).user.role).toBe('customer');
      const { rows } = await client.query<{ password_hash: string }>('SELECT password_hash FROM auth.users WHERE email = $1', [user.email]);
      expect(rows[0]?.password_hash).toMatch(/^scrypt\$2048\$8\$3\$/);
      expect((await login(user)).user.role).toBe('customer');
    } finally {
      await client.end();
    }
  });

  it('when token requests carry an Idempotency-Key, then no token is stored for replay, and a replayed refresh is reuse', async () => {
    const loginKey = `login-${suffix()}`;
    const first = await request<Tokens>(url('/api/v1/auth/login'), { body: CUSTOMER, headers: { 'idempotency-key': loginKey } });
    expect(first.status).toBe(200);
    // The same request again runs again (a fresh login), it is not replayed from the table.
    const again = await request<Tokens>(url('/api/v1/auth/login'), { body: CUSTOMER, headers: { 'idempotency-key': loginKey } });
    expect(again.status).toBe(200);
    expect(again.headers.get('idempotent-replayed')).toBeNull();
    expect(again.body.refreshToken).not.toBe(first.body.refreshToken);
    const different = await request(url('/api/v1/auth/login'), {
      body: { ...CUSTOMER, password: 'other-password-12' },
      headers: { 'idempotency-key': loginKey },
    });
    expect([different.status, different.body.field]).toEqual([422, 'Idempotency-Key']);

    const refreshKey = `refresh-${suffix()}`;
    const refreshed = await request<Tokens>(url('/api/v1/auth/refresh'), {
      body: { refreshToken: first.body.refreshToken },
      headers: { 'idempotency-key': refreshKey },
    });
    expect(refreshed.status).toBe(200);
    const replayed = await request<Tokens>(url('/api/v1/auth/refresh'), {
      body: { refreshToken: first.body.refreshToken },
      headers: { 'idempotency-key': refreshKey },
    });
    expect(replayed.status).toBe(401);
    expect(replayed.text).not.toContain(refreshed.body.refreshToken);
    // The replay was reuse: the family is gone, the rotated token too.
    expect((await request(url('/api/v1/auth/refresh'), { body: { refreshToken: refreshed.body.refreshToken } })).status).toBe(401);

    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ row: string }>('SELECT row_to_json(k)::text AS row FROM auth.idempotency_keys k');
      const table = rows.map((r) => r.row).join('\n');
      expect(rows.length).toBeGreaterThanOrEqual(2);
      for (const value of [
        first.body.accessToken,
        first.body.refreshToken,
        again.body.accessToken,
        again.body.refreshToken,
        refreshed.body.accessToken,
        refreshed.body.refreshToken,
      ]) {
        expect(table).not.toContain(value);
      }
      expect(table).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}/);
      expect(table).not.toContain(CUSTOMER.password);
    } finally {
      await client.end();
    }
  });

  it('when staff are created, then only an admin may do it and roles are enforced', async () => {
    const staff = { email: 'maker@bank.example', password: 'maker-password-12', role: 'maker', staffId: 'EMP-1001' };
    secrets.push(staff.password);
    expect((await request(url('/api/v1/admin/users'), { body: staff })).status).toBe(401);
    const customer = await login(CUSTOMER);
    expect((await request(url('/api/v1/admin/users'), { body: staff, token: customer.accessToken })).status).toBe(403);
    const admin = await login(ADMIN);
    const created = await request(url('/api/v1/admin/users'), { body: staff, token: admin.accessToken });
    expect(created.status).toBe(201);
    const badRole = await request(url('/api/v1/admin/users'), {
      body: { ...staff, email: 'x@bank.example', role: 'root' },
      token: admin.accessToken,
    });
    expect([badRole.status, badRole.body.field]).toEqual([422, 'role']);
    const maker = await login({ email: staff.email, password: staff.password });
    expect(maker.user.role).toBe('maker');
    const listed = await request<{ items: Array<{ email: string }> }>(url('/api/v1/admin/users?role=maker'), { token: admin.accessToken });
    expect(listed.body.items.map((u) => u.email)).toContain(staff.email);
    const forged = await request(url('/api/v1/admin/users'), { body: staff, headers: { authorization: 'Bearer not-a-token' } });
    expect(forged.status).toBe(401);
  });

  it('when an admin gives one person (staff id) both the maker and the checker role, then it is refused with 409', async () => {
    const admin = await login(ADMIN);
    const person = `EMP-${suffix()}`;
    const maker = { email: `m-${suffix()}@bank.example`, password: 'maker-password-12', role: 'maker', staffId: person };
    expect((await request(url('/api/v1/admin/users'), { body: maker, token: admin.accessToken })).status).toBe(201);
    const checker = await request(url('/api/v1/admin/users'), {
      body: { ...maker, email: `c-${suffix()}@bank.example`, role: 'checker' },
      token: admin.accessToken,
    });
    expect([checker.status, checker.body.field]).toEqual([409, 'staffId']);
    expect(checker.body.detail).toMatch(/maker-checker/);
    // Nor by a role change of another account of the same person.
    const other = await request<{ id: string }>(url('/api/v1/admin/users'), {
      body: { email: `a-${suffix()}@bank.example`, password: 'admin2-password-1', role: 'admin', staffId: person },
      token: admin.accessToken,
    });
    expect(other.status).toBe(201);
    const changed = await request(url(`/api/v1/admin/users/${other.body.id}/role`), {
      body: { role: 'checker' },
      token: admin.accessToken,
    });
    expect([changed.status, changed.body.field]).toEqual([409, 'staffId']);
    // A maker or checker account needs the person's staff id at all.
    const anonymous = await request(url('/api/v1/admin/users'), {
      body: { email: `n-${suffix()}@bank.example`, password: 'maker-password-12', role: 'checker' },
      token: admin.accessToken,
    });
    expect([anonymous.status, anonymous.body.field]).toEqual([422, 'staffId']);
  });

  it("when an admin changes a role, then the user's tokens and logins end at once and the next login carries the new role", async () => {
    const admin = await login(ADMIN);
    const credentials = { email: `r-${suffix()}@bank.example`, password: 'role-password-123' };
    const created = await request<{ id: string }>(url('/api/v1/admin/users'), {
      body: { ...credentials, role: 'maker', staffId: `EMP-${suffix()}` },
      token: admin.accessToken,
    });
    const before = await login(credentials);
    expect((await request(url('/api/v1/auth/me'), { token: before.accessToken })).status).toBe(200);
    const changed = await request(url(`/api/v1/admin/users/${created.body.id}/role`), {
      body: { role: 'checker' },
      token: admin.accessToken,
    });
    expect([changed.status, changed.body.role]).toEqual([200, 'checker']);
    expect((await request(url('/api/v1/auth/me'), { token: before.accessToken })).status).toBe(401);
    expect((await request(url('/api/v1/auth/refresh'), { body: { refreshToken: before.refreshToken } })).status).toBe(401);
    expect((await login(credentials)).user.role).toBe('checker');
    const self = await request(url(`/api/v1/admin/users/${admin.user.id}/role`), { body: { role: 'customer' }, token: admin.accessToken });
    expect(self.status).toBe(409);
    // Audited in the change's transaction: who, whom, from which role to which.
    expect(await accountChanges(created.body.id)).toEqual([
      { actor_id: admin.user.id, action: 'role', role_before: 'maker', role_after: 'checker' },
    ]);
  });

  it('when two admins take each other’s admin role at once, then one wins, the other is refused, and an admin always remains', async () => {
    const admin = await login(ADMIN);
    const [one, two] = await Promise.all(
      ['one', 'two'].map(async (who) => {
        const credentials = { email: `adm-${who}-${suffix()}@bank.example`, password: 'admin-race-password-1' };
        const created = await request<{ id: string }>(url('/api/v1/admin/users'), {
          body: { ...credentials, role: 'admin' },
          token: admin.accessToken,
        });
        expect(created.status).toBe(201);
        return { id: created.body.id, tokens: await login(credentials) };
      }),
    );
    if (!one || !two) throw new Error('two admins were created');
    const demote = (actor: typeof one, target: typeof one) =>
      request(url(`/api/v1/admin/users/${target.id}/role`), {
        body: { role: 'checker', staffId: `EMP-${suffix()}` },
        token: actor.tokens.accessToken,
      });
    const answers = await Promise.all([demote(one, two), demote(two, one)]);
    // The loser's request met either the winner's committed change under the admins' lock (403: no longer
    // an active admin) or its token already revoked (401): never a second success.
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    const refused = answers.find((a) => a.status !== 200);
    expect([401, 403]).toContain(refused?.status);
    expect(refused?.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    const admins = await request<{ items: Array<{ id: string }> }>(url('/api/v1/admin/users?role=admin&limit=200'), {
      token: admin.accessToken,
    });
    expect(admins.body.items.filter((u) => u.id === one.id || u.id === two.id)).toHaveLength(1);
    expect((await accountChanges(one.id)).length + (await accountChanges(two.id)).length).toBe(1);
  });

  it('when the only other active admin is gone, then neither a role change nor disabling takes the last admin: 409 last-admin', async () => {
    const admin = await login(ADMIN);
    const credentials = { email: `adm-last-${suffix()}@bank.example`, password: 'admin-last-password-1' };
    const created = await request<{ id: string }>(url('/api/v1/admin/users'), {
      body: { ...credentials, role: 'admin' },
      token: admin.accessToken,
    });
    const other = await login(credentials);
    // Another replica's change, committed a moment ago, whose revocation has not reached this one yet: the
    // other admin's token still says admin, the database no longer does. The suite's own database.
    await sql(`UPDATE auth.users SET disabled_at = now() WHERE role = 'admin' AND id <> $1`, [admin.user.id]);
    try {
      const answers = await Promise.all([
        request(url(`/api/v1/admin/users/${admin.user.id}/role`), {
          body: { role: 'maker', staffId: `EMP-${suffix()}` },
          token: other.accessToken,
        }),
        request(url(`/api/v1/admin/users/${admin.user.id}/disable`), { body: {}, token: other.accessToken }),
      ]);
      expect(answers.map((a) => [a.status, a.body.type, a.body.field])).toEqual([
        [409, 'https://kyc.dev/problems/last-admin', 'id'],
        [409, 'https://kyc.dev/problems/last-admin', 'id'],
      ]);
      expect((await login(ADMIN)).user.role).toBe('admin');
      // Nor does an account that is no longer an admin change anyone else's: 403.
      const maker = await request<{ id: string }>(url('/api/v1/admin/users'), {
        body: { email: `m-last-${suffix()}@bank.example`, password: 'maker-password-12', role: 'maker', staffId: `EMP-${suffix()}` },
        token: admin.accessToken,
      });
      const notAdmin = await request(url(`/api/v1/admin/users/${maker.body.id}/disable`), { body: {}, token: other.accessToken });
      expect([notAdmin.status, notAdmin.body.type]).toEqual([403, 'https://kyc.dev/problems/forbidden']);
      expect(await accountChanges(admin.user.id)).toEqual([]);
    } finally {
      await sql(`UPDATE auth.users SET disabled_at = NULL WHERE id = $1`, [created.body.id]);
    }
  });

  it('when there are more accounts than a page, then the list pages by cursor, newest first, each account once', async () => {
    const admin = await login(ADMIN);
    for (let i = 0; i < 3; i += 1) {
      const created = await request(url('/api/v1/admin/users'), {
        body: { email: `p${i}-${suffix()}@bank.example`, password: 'paging-password-1', role: 'checker', staffId: `EMP-P${i}-${suffix()}` },
        token: admin.accessToken,
      });
      expect(created.status).toBe(201);
    }
    type Listing = { items: Array<{ id: string; role: string }>; next?: string };
    const all = await request<Listing>(url('/api/v1/admin/users?role=checker&limit=200'), { token: admin.accessToken });
    expect(all.body.next).toBeUndefined();
    const walked: string[] = [];
    let after: string | undefined;
    for (let pages = 0; pages < 100; pages += 1) {
      const page = await request<Listing>(url(`/api/v1/admin/users?role=checker&limit=2${after ? `&after=${after}` : ''}`), {
        token: admin.accessToken,
      });
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      walked.push(...page.body.items.map((u) => u.id));
      after = page.body.next;
      if (after === undefined) break;
    }
    expect(walked).toEqual(all.body.items.map((u) => u.id));
    expect(walked.length).toBeGreaterThanOrEqual(3);
    const bad = await request(url("/api/v1/admin/users?role=checker&after=2026-12-05'"), { token: admin.accessToken });
    expect([bad.status, bad.body.field]).toEqual([422, 'query.after']);
  });

  it('when an admin disables an account, then its tokens and logins end and it cannot sign in until enabled; a reviewer cannot do it', async () => {
    const admin = await login(ADMIN);
    const credentials = { email: `d-${suffix()}@bank.example`, password: 'disable-password-1' };
    const created = await request<{ id: string }>(url('/api/v1/admin/users'), {
      body: { ...credentials, role: 'checker', staffId: `EMP-${suffix()}` },
      token: admin.accessToken,
    });
    const before = await login(credentials);
    // A reviewer attacks the admin API with their own token: every admin route refuses it.
    const forbidden = await Promise.all([
      request(url(`/api/v1/admin/users/${admin.user.id}/disable`), { body: {}, token: before.accessToken }),
      request(url(`/api/v1/admin/users/${created.body.id}/enable`), { body: {}, token: before.accessToken }),
      request(url('/api/v1/admin/users'), { token: before.accessToken }),
    ]);
    expect(forbidden.map((r) => r.status)).toEqual([403, 403, 403]);
    const disabled = await request<{ disabled?: boolean }>(url(`/api/v1/admin/users/${created.body.id}/disable`), {
      body: {},
      token: admin.accessToken,
    });
    expect([disabled.status, disabled.body.disabled]).toEqual([200, true]);
    expect((await request(url('/api/v1/auth/me'), { token: before.accessToken })).status).toBe(401);
    expect((await request(url('/api/v1/auth/refresh'), { body: { refreshToken: before.refreshToken } })).status).toBe(401);
    // From another address: the failed sign-in's backoff is per account and address.
    const refused = await request(url('/api/v1/auth/login'), { body: credentials, headers: from('192.0.2.77') });
    expect(refused.status).toBe(401);
    const listed = await request<{ items: Array<{ id: string; disabled?: boolean }> }>(url('/api/v1/admin/users?role=checker'), {
      token: admin.accessToken,
    });
    expect(listed.body.items.find((u) => u.id === created.body.id)?.disabled).toBe(true);
    const enabled = await request<{ disabled?: boolean }>(url(`/api/v1/admin/users/${created.body.id}/enable`), {
      body: {},
      token: admin.accessToken,
    });
    expect([enabled.status, enabled.body.disabled]).toEqual([200, undefined]);
    expect((await login(credentials)).user.role).toBe('checker');
    expect((await accountChanges(created.body.id)).map((c) => c.action)).toEqual(['disable', 'enable']);
    const self = await request(url(`/api/v1/admin/users/${admin.user.id}/disable`), { body: {}, token: admin.accessToken });
    expect([self.status, self.body.field]).toEqual([409, 'id']);
    const unknown = await request(url('/api/v1/admin/users/00000000-0000-4000-8000-000000000000/disable'), {
      body: {},
      token: admin.accessToken,
    });
    expect(unknown.status).toBe(404);
  });

  it('when a POST repeats its Idempotency-Key, then the first response is replayed; a different body is a 422', async () => {
    const key = `key-${suffix()}`;
    const body = { email: `idem-${suffix()}@example.com`, password: 'idem-password-12' };
    secrets.push(body.password);
    const first = await request(url('/api/v1/auth/register'), { body, headers: { 'idempotency-key': key } });
    const again = await request(url('/api/v1/auth/register'), { body, headers: { 'idempotency-key': key } });
    expect(first.status).toBe(202);
    expect(again.status).toBe(202);
    expect(again.body).toEqual(first.body);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const different = await request(url('/api/v1/auth/register'), {
      body: { ...body, name: 'Other' },
      headers: { 'idempotency-key': key },
    });
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
