// The shared library against real PostgreSQL and Redis: concurrent migrations, both idempotency
// stores, and graceful shutdown draining in-flight requests.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import {
  PostgresIdempotencyStore,
  RedisIdempotencyStore,
  Service,
  closeRedis,
  createPool,
  createRedis,
  idempotency,
  idempotencyMigration,
  runMigrations,
} from '../../../workloads/shared/index.js';
import type { IdempotencyStore, Migration, Pool, Redis } from '../../../workloads/shared/index.js';
import { captureLogs, createTestDatabase, request, requireEnv, suffix } from './support.js';
import type { TestDatabase } from './support.js';

describe('shared library', () => {
  let db: TestDatabase;
  let pool: Pool;
  let redis: Redis;

  beforeAll(async () => {
    db = await createTestDatabase();
    pool = createPool(db.url, { max: 8 });
    redis = createRedis(requireEnv('REDIS_URL'), { keyPrefix: `test-${suffix()}:` });
  });

  afterAll(async () => {
    await closeRedis(redis);
    await pool?.end();
    await db?.drop();
  });

  it('when several processes migrate at once, then each migration runs exactly once', async () => {
    const migrations: Migration[] = [
      { version: 1, name: 'table', up: 'CREATE TABLE things (id int PRIMARY KEY)' },
      { version: 2, name: 'row', up: 'INSERT INTO things VALUES (1)' },
      {
        version: 3,
        name: 'code',
        up: async (client, schema) => {
          await client.query(`INSERT INTO "${schema}".things VALUES (2)`);
        },
      },
    ];
    const pools = [createPool(db.url), createPool(db.url), createPool(db.url)];
    try {
      const results = await Promise.all(pools.map((p) => runMigrations(p, 'concurrent', migrations)));
      expect(results.flatMap((r) => r.applied).sort()).toEqual([1, 2, 3]);
      expect(results.every((r) => r.current === 3)).toBe(true);
      const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM concurrent.things');
      expect(rows[0]?.n).toBe('2');
      expect((await runMigrations(pool, 'concurrent', migrations)).applied).toEqual([]);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });

  it('a failing migration rolls back and names itself', async () => {
    await expect(runMigrations(pool, 'broken', [{ version: 1, name: 'bad sql', up: 'CREATE TABLE (' }])).rejects.toThrow(/broken 1 \(bad sql\)/);
  });

  describe.each(['postgres', 'redis'])('idempotency keys in %s', (kind) => {
    let service: Service;
    let url: string;
    let created = 0;

    beforeAll(async () => {
      let store: IdempotencyStore;
      if (kind === 'postgres') {
        await runMigrations(pool, 'idem', [idempotencyMigration(1)]);
        store = new PostgresIdempotencyStore(pool, 'idem');
      } else {
        store = new RedisIdempotencyStore(redis, 'test');
      }
      service = new Service({ component: 'test', logger: captureLogs('test', 'error').logger });
      service.app.use((req, _res, next) => {
        const user = req.header('x-test-user');
        if (user) req.principal = { sub: user, role: 'customer' };
        next();
      });
      service.app.use(idempotency({ store }));
      service.app.post('/things', (req, res) => {
        created += 1;
        if ((req.body as { fail?: boolean }).fail) {
          res.status(500).json({ n: created });
          return;
        }
        res.status(201).location(`/things/${created}`).json({ n: created, body: req.body as unknown });
      });
      url = (await service.listen(0)).url;
    });

    afterAll(async () => {
      await service.close();
    });

    it('replays the first response for the same key and body, and refuses a different body with 422', async () => {
      const key = `k-${suffix()}`;
      const first = await request(`${url}/things`, { body: { a: 1, b: 2 }, headers: { 'idempotency-key': key, 'x-test-user': 'u1' } });
      const again = await request(`${url}/things`, { body: { b: 2, a: 1 }, headers: { 'idempotency-key': key, 'x-test-user': 'u1' } });
      expect(first.status).toBe(201);
      expect(again.status).toBe(201);
      expect(again.body).toEqual(first.body);
      expect(again.headers.get('location')).toBe(first.headers.get('location'));
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      const other = await request(`${url}/things`, { body: { a: 2 }, headers: { 'idempotency-key': key, 'x-test-user': 'u1' } });
      expect([other.status, other.body.field]).toEqual([422, 'Idempotency-Key']);
      // Keys belong to a user: the same key from someone else is a new request.
      const stranger = await request(`${url}/things`, { body: { a: 1, b: 2 }, headers: { 'idempotency-key': key, 'x-test-user': 'u2' } });
      expect(stranger.body.n).not.toBe(first.body.n);
    });

    it('does not keep 5xx answers, so the client may retry', async () => {
      const key = `k-${suffix()}`;
      const failed = await request(`${url}/things`, { body: { fail: true }, headers: { 'idempotency-key': key } });
      expect(failed.status).toBe(500);
      await new Promise((resolve) => setTimeout(resolve, 100));
      const retried = await request(`${url}/things`, { body: { fail: true }, headers: { 'idempotency-key': key } });
      expect(retried.headers.get('idempotent-replayed')).toBeNull();
    });

    it('rejects malformed keys naming the header', async () => {
      const res = await request(`${url}/things`, { body: {}, headers: { 'idempotency-key': 'x'.repeat(300) } });
      expect([res.status, res.body.field]).toEqual([400, 'Idempotency-Key']);
    });
  });

  it('/livez stays 200 while a dependency is down and /health answers 503', async () => {
    const service = new Service({ component: 'live', logger: captureLogs('live', 'error').logger, health: { database: () => false } });
    const { url } = await service.listen(0);
    try {
      expect((await request(`${url}/health`)).status).toBe(503);
      const live = await request(`${url}/livez`);
      expect([live.status, live.body.alive]).toEqual([200, true]);
    } finally {
      await service.close();
    }
  });

  it('on shutdown, /ready turns 503, in-flight requests finish, then the server closes', async () => {
    const service = new Service({ component: 'drain', logger: captureLogs('drain', 'error').logger });
    service.app.get('/slow', (_req, res) => {
      setTimeout(() => res.json({ done: true }), 400);
    });
    const { url } = await service.listen(0);
    expect((await request(`${url}/ready`)).status).toBe(200);
    const inFlight = request(`${url}/slow`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const closing = service.close();
    expect(service.lifecycle.isReady()).toBe(false);
    expect((await inFlight).status).toBe(200);
    await closing;
    await expect(fetch(`${url}/ready`)).rejects.toThrow();
  });
});
