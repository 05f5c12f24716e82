// The shared library against real PostgreSQL and Redis: concurrent migrations, both idempotency
// stores, graceful shutdown draining in-flight requests, the metrics port, and the JSON body limits.
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
  warmPool,
} from '../../../workloads/shared/index.js';
import type { IdempotencyStore, Migration, Pool, Redis } from '../../../workloads/shared/index.js';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { freePort } from '../../support/processes.js';
import { rawRequest } from '../../support/raw-http.js';
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

  it("warmPool opens the pool's minimum of connections before any request; on a server that refuses, it returns how few it opened", async () => {
    const name = `kyc-warm-${suffix()}`;
    const warm = createPool(db.url, { max: 6, min: 3, applicationName: name });
    try {
      // One connection is open already, as the migration check leaves it: warming counts it, and opens the rest.
      await warm.query('SELECT 1');
      expect(warm.totalCount).toBe(1);
      expect(await warmPool(warm, 3)).toBe(3);
      expect(warm.totalCount).toBe(3);
      expect(warm.idleCount).toBe(3);
      const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM pg_stat_activity WHERE application_name = $1', [name]);
      expect(rows[0]?.n).toBe('3');
    } finally {
      await warm.end();
    }
    const closed = await freePort();
    const refused = createPool(db.url.replace(/@[^/]+\//, `@127.0.0.1:${closed}/`), { max: 4, min: 2 });
    try {
      expect(await warmPool(refused, 2)).toBe(0);
    } finally {
      await refused.end();
    }
  }, 30_000);

  it('when several processes migrate at once, then each migration runs exactly once', async () => {
    const migrations: Migration[] = [
      { version: 1, name: 'table', up: 'CREATE TABLE things (id int PRIMARY KEY)' },
      { version: 2, name: 'row', up: 'INSERT INTO things VALUES (1)' },
      {
        version: 3,
        name: 'code',
        // Code migrations say what they do: the expand/contract check cannot read them (docs/releases.md).
        expandOnly: true,
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
    await expect(runMigrations(pool, 'broken', [{ version: 1, name: 'bad sql', up: 'CREATE TABLE (' }])).rejects.toThrow(
      /broken 1 \(bad sql\)/,
    );
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
        res
          .status(201)
          .location(`/things/${created}`)
          .json({ n: created, body: req.body as unknown });
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
    const { url, metricsUrl } = await service.listen(0);
    try {
      expect((await request(`${metricsUrl}/health`)).status).toBe(503);
      const live = await request(`${url}/livez`);
      expect([live.status, live.body.alive]).toEqual([200, true]);
    } finally {
      await service.close();
    }
  });

  describe('the metrics port', () => {
    it('serves /metrics and the detailed /health there, and the main port answers them 404 problem+json however the target is spelled', async () => {
      const service = new Service({
        component: 'ports',
        logger: captureLogs('ports', 'error').logger,
        responseHeaders: { 'X-KYC-Version': '9.9.9' },
      });
      service.app.get('/api/v1/things', (_req, res) => {
        res.json({ ok: true });
      });
      const { url, port, metricsUrl, metricsPort } = await service.listen(0);
      try {
        expect(metricsPort).not.toBe(port);
        await request(`${url}/api/v1/things`);
        const metrics = await fetch(`${metricsUrl}/metrics`);
        expect(metrics.status).toBe(200);
        expect(await metrics.text()).toMatch(/kyc_http_requests_total\{[^}]*component="ports"/);
        const health = await request(`${metricsUrl}/health`);
        expect([health.status, health.body.message]).toEqual([200, 'OK']);
        expect(health.headers.get('x-kyc-version')).toBe('9.9.9');
        expect(health.headers.get('x-content-type-options')).toBe('nosniff');
        // The probes and the API stay on the main port only.
        expect((await request(`${url}/ready`)).status).toBe(200);
        expect((await request(`${url}/livez`)).status).toBe(200);
        for (const path of ['/ready', '/livez', '/api/v1/things']) expect((await request(`${metricsUrl}${path}`)).status).toBe(404);
        // Raw targets a client library would normalise: absolute-form, trailing slash, case, query, dot-segments, encoding.
        const targets = [
          '/metrics',
          '/health',
          '/METRICS',
          '/metrics/',
          '/health?verbose=1',
          `http://127.0.0.1:${metricsPort}/metrics`,
          `http://127.0.0.1:${port}/health`,
          '/api/v1/../metrics',
          '/./health',
          '//metrics',
          '/%6detrics',
          '/api/v1/%2e%2e/metrics',
        ];
        for (const target of targets) {
          const res = await rawRequest(port, `GET ${target} HTTP/1.1\r\nHost: 127.0.0.1:${port}`);
          expect([target, res.status]).toEqual([target, 404]);
          expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
          expect(res.body).not.toContain('kyc_http_requests_total');
          expect(res.body).not.toContain('"checks"');
        }
      } finally {
        await service.close();
      }
    });

    it('listens on the METRICS_PORT it is given, and shutdown closes both listeners', async () => {
      const free = await new Promise<number>((resolve) => {
        const probe = net.createServer().listen(0, '127.0.0.1', () => {
          const { port } = probe.address() as AddressInfo;
          probe.close(() => resolve(port));
        });
      });
      const service = new Service({ component: 'fixed', logger: captureLogs('fixed', 'error').logger });
      const { url, metricsUrl, metricsPort } = await service.listen(0, '127.0.0.1', free);
      expect(metricsPort).toBe(free);
      expect((await fetch(`${metricsUrl}/metrics`)).status).toBe(200);
      await service.close();
      await expect(fetch(`${url}/ready`)).rejects.toThrow();
      await expect(fetch(`${metricsUrl}/metrics`)).rejects.toThrow();
    });
  });

  describe('JSON body limits', () => {
    let service: Service;
    let url: string;
    let port: number;
    let created = 0;
    let logs: ReturnType<typeof captureLogs>;

    beforeAll(async () => {
      await runMigrations(pool, 'limits', [idempotencyMigration(1)]);
      logs = captureLogs('limits', 'warn');
      service = new Service({ component: 'limits', logger: logs.logger, bodyLimit: '64kb' });
      service.app.use(idempotency({ store: new PostgresIdempotencyStore(pool, 'limits') }));
      service.app.post('/things', (_req, res) => {
        created += 1;
        res.status(201).json({ n: created });
      });
      ({ url, port } = await service.listen(0));
    });

    afterAll(async () => {
      await service.close();
    });

    const deep = (levels: number): string => `${'['.repeat(levels)}${']'.repeat(levels)}`;

    it('when a body nests deeper than 32 levels, with or without an Idempotency-Key, then 400 problem+json and never 500', async () => {
      const first = await request(`${url}/things`, { body: { name: 'kept' }, headers: { 'idempotency-key': `keep-${suffix()}` } });
      expect(first.status).toBe(201);
      const bodies = [deep(33), `{"a":${deep(40)}}`, deep(30_000), `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`];
      for (const rawBody of bodies) {
        for (const headers of [{}, { 'idempotency-key': `deep-${suffix()}` }] as Array<Record<string, string>>) {
          const res = await request(`${url}/things`, { rawBody, headers });
          expect([res.status, res.body.field, res.body.type]).toEqual([400, 'body', 'https://kyc.dev/problems/json-too-deep']);
          expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
        }
      }
      // Brackets inside strings are data, not nesting.
      const quoted = await request(`${url}/things`, {
        body: { text: '['.repeat(5000) },
        headers: { 'idempotency-key': `quoted-${suffix()}` },
      });
      expect(quoted.status).toBe(201);
      // application/*+json is parsed, and limited, too; JSON in another charset is refused.
      expect(
        (await request(`${url}/things`, { rawBody: deep(40), headers: { 'content-type': 'application/merge-patch+json' } })).status,
      ).toBe(400);
      expect(
        (await request(`${url}/things`, { rawBody: '[]', headers: { 'content-type': 'application/json; charset=utf-16le' } })).status,
      ).toBe(415);
      // Nothing was created by a refused body, nothing earlier was lost, and a valid request works.
      expect(created).toBe(2);
      const after = await request(`${url}/things`, { body: { name: 'after' }, headers: { 'idempotency-key': `after-${suffix()}` } });
      expect([after.status, after.body.n]).toEqual([201, 3]);
      const { rows } = await pool.query<{ n: string }>('SELECT count(*) AS n FROM limits.idempotency_keys WHERE response IS NOT NULL');
      expect(Number(rows[0]?.n)).toBe(3);
      expect(logs.text()).not.toContain('request failed');
    });

    it('when 1 MB of [ arrives over a raw socket with an Idempotency-Key, then 400 (depth) or 413 (size), never a crash', async () => {
      const megabyte = Buffer.alloc(1 << 20, '[');
      const res = await rawRequest(
        port,
        `POST /things HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nIdempotency-Key: mb-${suffix()}`,
        megabyte,
      );
      expect([413, 400]).toContain(res.status);
      expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      expect((await request(`${url}/ready`)).status).toBe(200);
    });

    it('when a body is larger than the limit, then 413 problem+json naming the body, gzip-inflated size included; a body that does not inflate is 400 naming Content-Encoding', async () => {
      const big = await request(`${url}/things`, { body: { text: 'x'.repeat(70_000) }, headers: { 'idempotency-key': `big-${suffix()}` } });
      expect([big.status, big.body.field]).toEqual([413, 'body']);
      expect(big.headers.get('content-type')).toMatch(/application\/problem\+json/);
      const { gzipSync } = await import('node:zlib');
      const bomb = gzipSync(Buffer.from(JSON.stringify({ text: 'x'.repeat(5_000_000) })));
      expect(bomb.length).toBeLessThan(64 * 1024);
      const inflated = await rawRequest(
        port,
        `POST /things HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Encoding: gzip`,
        bomb,
      );
      expect(inflated.status).toBe(413);
      const garbled = await rawRequest(
        port,
        `POST /things HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Encoding: gzip`,
        'not gzip at all',
      );
      expect([garbled.status, (JSON.parse(garbled.body) as { field?: string }).field]).toEqual([400, 'Content-Encoding']);
    });

    it('when the parser would let a deep body through, then the Idempotency-Key fingerprint still does not overflow the stack', async () => {
      // A service configured with no practical depth limit: the fingerprint walk itself must cope.
      const lax = new Service({ component: 'lax', logger: captureLogs('lax', 'error').logger, bodyLimit: '2mb', jsonMaxDepth: 10_000_000 });
      let handled = 0;
      lax.app.use(idempotency({ store: new PostgresIdempotencyStore(pool, 'limits') }));
      lax.app.post('/things', (_req, res) => {
        handled += 1;
        res.status(201).json({ handled });
      });
      const listening = await lax.listen(0);
      try {
        const key = `lax-${suffix()}`;
        const rawBody = deep(400_000);
        const first = await request(`${listening.url}/things`, { rawBody, headers: { 'idempotency-key': key } });
        expect(first.status).toBe(201);
        const replay = await request(`${listening.url}/things`, { rawBody, headers: { 'idempotency-key': key } });
        expect([replay.status, replay.headers.get('idempotent-replayed'), handled]).toEqual([201, 'true', 1]);
      } finally {
        await lax.close();
      }
      // Two 400 000-deep bodies parsed and walked: about a second alone, several on a loaded machine.
    }, 30_000);
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
