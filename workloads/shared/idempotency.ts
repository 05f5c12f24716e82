// Idempotency-Key on POST (and PATCH): the same key with the same body replays the first response;
// the same key with a different body is a 422; keys live 24 h and are scoped per user (or per
// anonymous caller for sign-up and login). While the first request is still running, a retry gets a
// 409. 5xx responses are not stored, so the client may retry them.
import { createHash } from 'node:crypto';
import type { Request, RequestHandler, Response } from 'express';
import type { Pool } from 'pg';
import type { Redis } from 'ioredis';
import { ident } from './db.js';
import type { Migration } from './migrate.js';
import { IDEMPOTENCY_KEY_IN_PROGRESS, ProblemError, badRequest } from './problem.js';

export const IDEMPOTENCY_TTL_SECONDS = 24 * 3600;
/**
 * How long a key stays "in progress" before its request has an answer. Far longer than any request may
 * run (the gateway gives up after 3 s), and short: when the release of a failed request's key fails too
 * (its database or Redis was down), the client's retry gets a 409 for this long, not for the key's 24 h.
 */
export const IN_PROGRESS_LEASE_SECONDS = 60;
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;

export interface StoredResponse {
  status: number;
  contentType: string | undefined;
  body: string;
  location?: string;
}

export type BeginResult = { state: 'new' } | { state: 'in-progress' } | { state: 'mismatch' } | { state: 'done'; response: StoredResponse };

export interface IdempotencyStore {
  begin(scope: string, key: string, fingerprint: string, ttlSeconds: number): Promise<BeginResult>;
  complete(scope: string, key: string, response: StoredResponse, ttlSeconds: number): Promise<void>;
  abandon(scope: string, key: string): Promise<void>;
}

interface RedisRecord {
  fingerprint: string;
  response?: StoredResponse;
}

export class RedisIdempotencyStore implements IdempotencyStore {
  constructor(
    private readonly redis: Redis,
    private readonly namespace: string,
  ) {}

  private key(scope: string, key: string): string {
    return `idem:${this.namespace}:${createHash('sha256').update(`${scope}\u0000${key}`).digest('hex')}`;
  }

  async begin(scope: string, key: string, fingerprint: string, ttlSeconds: number): Promise<BeginResult> {
    const redisKey = this.key(scope, key);
    const created = await this.redis.set(
      redisKey,
      JSON.stringify({ fingerprint } satisfies RedisRecord),
      'EX',
      Math.min(ttlSeconds, IN_PROGRESS_LEASE_SECONDS),
      'NX',
    );
    if (created === 'OK') return { state: 'new' };
    const raw = await this.redis.get(redisKey);
    if (raw === null) return this.begin(scope, key, fingerprint, ttlSeconds);
    const record = JSON.parse(raw) as RedisRecord;
    if (record.fingerprint !== fingerprint) return { state: 'mismatch' };
    return record.response ? { state: 'done', response: record.response } : { state: 'in-progress' };
  }

  async complete(scope: string, key: string, response: StoredResponse, ttlSeconds: number): Promise<void> {
    const redisKey = this.key(scope, key);
    const raw = await this.redis.get(redisKey);
    if (raw === null) return;
    const record = JSON.parse(raw) as RedisRecord;
    await this.redis.set(redisKey, JSON.stringify({ ...record, response }), 'EX', ttlSeconds);
  }

  async abandon(scope: string, key: string): Promise<void> {
    await this.redis.del(this.key(scope, key));
  }
}

/** The table behind PostgresIdempotencyStore; add it to the service's migrations. */
export function idempotencyMigration(version: number): Migration {
  return {
    version,
    name: 'idempotency_keys',
    up: `CREATE TABLE idempotency_keys (
           scope text NOT NULL,
           key text NOT NULL,
           fingerprint text NOT NULL,
           response jsonb,
           expires_at timestamptz NOT NULL,
           PRIMARY KEY (scope, key)
         );
         CREATE INDEX idempotency_keys_expiry ON idempotency_keys (expires_at);`,
  };
}

export class PostgresIdempotencyStore implements IdempotencyStore {
  private lastPurge = 0;
  private readonly table: string;

  constructor(
    private readonly pool: Pool,
    schema: string,
  ) {
    this.table = `${ident(schema)}.idempotency_keys`;
  }

  async begin(scope: string, key: string, fingerprint: string, ttlSeconds: number): Promise<BeginResult> {
    if (Date.now() - this.lastPurge > 60_000) {
      this.lastPurge = Date.now();
      await this.pool.query(`DELETE FROM ${this.table} WHERE expires_at < now()`);
    }
    const inserted = await this.pool.query(
      `INSERT INTO ${this.table} (scope, key, fingerprint, expires_at) VALUES ($1, $2, $3, now() + $4 * interval '1 second')
       ON CONFLICT (scope, key) DO UPDATE SET fingerprint = EXCLUDED.fingerprint, response = NULL, expires_at = EXCLUDED.expires_at
         WHERE ${this.table}.expires_at < now()
       RETURNING 1`,
      [scope, key, fingerprint, Math.min(ttlSeconds, IN_PROGRESS_LEASE_SECONDS)],
    );
    if (inserted.rowCount === 1) return { state: 'new' };
    const { rows } = await this.pool.query<{ fingerprint: string; response: StoredResponse | null }>(
      `SELECT fingerprint, response FROM ${this.table} WHERE scope = $1 AND key = $2`,
      [scope, key],
    );
    const row = rows[0];
    if (!row) return this.begin(scope, key, fingerprint, ttlSeconds);
    if (row.fingerprint !== fingerprint) return { state: 'mismatch' };
    return row.response ? { state: 'done', response: row.response } : { state: 'in-progress' };
  }

  async complete(scope: string, key: string, response: StoredResponse, ttlSeconds: number): Promise<void> {
    await this.pool.query(
      `UPDATE ${this.table} SET response = $3, expires_at = now() + $4 * interval '1 second' WHERE scope = $1 AND key = $2`,
      [scope, key, JSON.stringify(response), ttlSeconds],
    );
  }

  async abandon(scope: string, key: string): Promise<void> {
    await this.pool.query(`DELETE FROM ${this.table} WHERE scope = $1 AND key = $2`, [scope, key]);
  }
}

/**
 * A stable JSON rendering (sorted keys) so `{a,b}` and `{b,a}` are the same body. A loop with its own
 * stack, not recursion: the body it renders comes from a client, and a recursive walk of a deeply nested
 * one overflowed the call stack (a 500 for any request with an Idempotency-Key). The JSON parser refuses
 * such bodies before they get here; this holds even where one gets past it.
 */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  // One frame per open array or object: its members as [key (undefined in an array), value] pairs.
  const stack: Array<{ members: Array<[string | undefined, unknown]>; next: number; close: string }> = [];
  const open = (v: unknown): void => {
    if (v === null || typeof v !== 'object') {
      out.push(JSON.stringify(v) ?? 'null');
    } else if (Array.isArray(v)) {
      out.push('[');
      stack.push({ members: v.map((item): [undefined, unknown] => [undefined, item]), next: 0, close: ']' });
    } else {
      const entries = Object.entries(v as Record<string, unknown>)
        .filter(([, member]) => member !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      out.push('{');
      stack.push({ members: entries, next: 0, close: '}' });
    }
  };
  open(value);
  for (let frame = stack.at(-1); frame !== undefined; frame = stack.at(-1)) {
    const member = frame.members[frame.next];
    if (member === undefined) {
      out.push(frame.close);
      stack.pop();
      continue;
    }
    if (frame.next > 0) out.push(',');
    frame.next += 1;
    if (member[0] !== undefined) out.push(`${JSON.stringify(member[0])}:`);
    open(member[1]);
  }
  return out.join('');
}

export function requestFingerprint(req: Request): string {
  return createHash('sha256')
    .update(`${req.method} ${req.baseUrl}${req.path}\n${canonicalJson(req.body ?? null)}`)
    .digest('hex');
}

export interface IdempotencyOptions {
  store: IdempotencyStore;
  ttlSeconds?: number;
  /** Who owns the key; default the verified user, else `anonymous`. */
  scope?: (req: Request) => string;
}

export function idempotency(options: IdempotencyOptions): RequestHandler {
  const ttl = options.ttlSeconds ?? IDEMPOTENCY_TTL_SECONDS;
  const scopeOf = options.scope ?? ((req: Request) => (req.principal ? `user:${req.principal.sub}` : 'anonymous'));
  return async (req, res, next) => {
    if (req.method !== 'POST' && req.method !== 'PATCH') return next();
    const key = req.header('idempotency-key');
    if (key === undefined) return next();
    if (!KEY_PATTERN.test(key)) throw badRequest('Idempotency-Key must be 1-255 visible ASCII characters', 'Idempotency-Key');
    const scope = scopeOf(req);
    const fingerprint = requestFingerprint(req);
    const begun = await options.store.begin(scope, key, fingerprint, ttl);
    if (begun.state === 'mismatch') {
      throw new ProblemError(422, 'this Idempotency-Key was used with a different request body', {
        type: 'https://kyc.dev/problems/idempotency-key-reused',
        title: 'Idempotency-Key reused',
        field: 'Idempotency-Key',
      });
    }
    if (begun.state === 'in-progress') {
      throw new ProblemError(409, 'a request with this Idempotency-Key is still being processed', {
        type: IDEMPOTENCY_KEY_IN_PROGRESS,
        title: 'Idempotency-Key in progress',
        field: 'Idempotency-Key',
        headers: { 'Retry-After': '1' },
      });
    }
    if (begun.state === 'done') return replay(res, begun.response);
    // The outcome is stored before the response leaves: a client that retries the moment it has the
    // answer gets the replay, not a 409 "still being processed". A 5xx releases the key on its way out.
    captureResponse(res, (response) => {
      if (response.status >= 500) {
        // A 5xx leaves at once: releasing the key may wait on the very dependency that just failed (up to
        // its timeouts, past the gateway's), and the answer tells the client to come back after Retry-After.
        void options.store
          .abandon(scope, key)
          .catch((error: unknown) => req.log.warn({ err: error }, 'could not release the idempotency key'));
        return Promise.resolve();
      }
      return options.store
        .complete(scope, key, response, ttl)
        .catch((error: unknown) => req.log.warn({ err: error }, 'could not store the idempotent response'));
    });
    next();
  };
}

function replay(res: Response, response: StoredResponse): void {
  res.status(response.status).setHeader('Idempotent-Replayed', 'true');
  if (response.location) res.setHeader('Location', response.location);
  if (response.contentType) res.setHeader('Content-Type', response.contentType);
  res.send(response.body);
}

/**
 * Calls `store` with the response a handler sends through `res.send` (and `res.json`, which ends there)
 * and sends it only once `store` has settled. A response written some other way is stored when it
 * finishes; a connection closed before any response releases the key (status 599).
 */
function captureResponse(res: Response, store: (response: StoredResponse) => Promise<void>): void {
  const originalSend = res.send.bind(res);
  let stored = false;
  res.send = (chunk?: unknown) => {
    // An object goes through res.json, which comes back here with its JSON text.
    if (stored || (chunk !== null && typeof chunk === 'object' && !Buffer.isBuffer(chunk))) return originalSend(chunk);
    stored = true;
    const body = typeof chunk === 'string' ? chunk : Buffer.isBuffer(chunk) ? chunk.toString('utf8') : '';
    const contentType = res.getHeader('content-type');
    const location = res.getHeader('location');
    const defaultType =
      typeof chunk === 'string' ? 'text/html; charset=utf-8' : Buffer.isBuffer(chunk) ? 'application/octet-stream' : undefined;
    void store({
      status: res.statusCode,
      contentType: typeof contentType === 'string' ? contentType : defaultType,
      body,
      ...(typeof location === 'string' && { location }),
    }).finally(() => originalSend(chunk));
    return res;
  };
  res.once('finish', () => {
    if (stored) return;
    stored = true;
    const contentType = res.getHeader('content-type');
    const location = res.getHeader('location');
    void store({
      status: res.statusCode,
      contentType: typeof contentType === 'string' ? contentType : undefined,
      body: '',
      ...(typeof location === 'string' && { location }),
    });
  });
  // A connection closed before the response was sent leaves nothing to replay: release the key.
  res.once('close', () => {
    if (stored) return;
    stored = true;
    void store({ status: 599, contentType: undefined, body: '' });
  });
}
