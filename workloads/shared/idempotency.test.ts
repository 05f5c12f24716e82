import { describe, expect, it } from '@jest/globals';
import type { Request, Response } from 'express';
import type { Pool } from 'pg';
import { IDEMPOTENCY_TTL_SECONDS, IN_PROGRESS_LEASE_SECONDS, PostgresIdempotencyStore, canonicalJson, idempotency } from './idempotency.js';
import type { BeginResult } from './idempotency.js';
import { IDEMPOTENCY_KEY_IN_PROGRESS, ProblemError } from './problem.js';

describe('canonicalJson', () => {
  it('ignores key order and undefined values', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: undefined } })).toBe(
      canonicalJson({ a: { d: [1, { x: 1, y: 2 }] }, b: 1 }),
    );
  });

  it('distinguishes different bodies', () => {
    expect(canonicalJson({ a: 1 })).not.toBe(canonicalJson({ a: '1' }));
    expect(canonicalJson(null)).toBe('null');
  });

  it('renders what JSON.stringify renders for sorted input (fingerprints stored before stay valid)', () => {
    const value = { a: [1, 'two', null, true, { b: [], c: {} }], d: { e: 'é"\\' }, f: -1.5e-7, g: [[[]]] };
    expect(canonicalJson(value)).toBe(JSON.stringify(value));
    expect(canonicalJson([undefined, 1])).toBe('[null,1]');
    expect(canonicalJson('x')).toBe('"x"');
  });

  it('when a value is nested 200 000 levels deep, then it renders without overflowing the stack', () => {
    const depth = 200_000;
    let deep: unknown = [];
    for (let i = 1; i < depth; i++) deep = i % 2 === 0 ? [deep] : { k: deep };
    const text = canonicalJson(deep);
    expect(text.length).toBeGreaterThan(depth * 2);
    expect(text.startsWith('{"k":[{"k":[')).toBe(true);
  });
});

describe('PostgresIdempotencyStore', () => {
  it('holds a key in progress for a short lease, and for the full time once it has its answer', async () => {
    const queries: Array<{ sql: string; values: unknown[] }> = [];
    const pool = {
      query: (sql: string, values: unknown[] = []) => {
        queries.push({ sql, values });
        return Promise.resolve({ rowCount: 1, rows: [] });
      },
    } as unknown as Pool;
    const store = new PostgresIdempotencyStore(pool, 'svc');
    expect(await store.begin('user:1', 'k', 'f', IDEMPOTENCY_TTL_SECONDS)).toEqual({ state: 'new' });
    // A key whose release failed (its database was down) blocks retries for the lease, not for 24 h.
    expect(queries.at(-1)?.values[3]).toBe(IN_PROGRESS_LEASE_SECONDS);
    await store.complete('user:1', 'k', { status: 201, contentType: 'application/json', body: '{}' }, IDEMPOTENCY_TTL_SECONDS);
    expect(queries.at(-1)?.sql).toContain('expires_at = now() +');
    expect(queries.at(-1)?.values[3]).toBe(IDEMPOTENCY_TTL_SECONDS);
  });
});

describe('idempotency middleware refusals (docs/problems/)', () => {
  /** What the middleware throws for a write whose key the store reports in `state`. */
  async function refusal(state: BeginResult['state']): Promise<unknown> {
    const handler = idempotency({
      store: {
        begin: () => Promise.resolve({ state } as BeginResult),
        complete: () => Promise.resolve(),
        abandon: () => Promise.resolve(),
      },
    });
    const req = { method: 'POST', baseUrl: '/api/v1', path: '/applications', body: {}, header: () => 'key-1' } as unknown as Request;
    try {
      await handler(req, {} as Response, () => undefined);
      return undefined;
    } catch (error) {
      return error;
    }
  }

  it('a key still running is a 409 of its own type, with Retry-After, not a bare conflict', async () => {
    const error = (await refusal('in-progress')) as ProblemError;
    expect(error).toBeInstanceOf(ProblemError);
    expect([error.status, error.type, error.field, error.headers['Retry-After']]).toEqual([
      409,
      IDEMPOTENCY_KEY_IN_PROGRESS,
      'Idempotency-Key',
      '1',
    ]);
  });

  it('a key reused with another body is a 422 idempotency-key-reused', async () => {
    const error = (await refusal('mismatch')) as ProblemError;
    expect([error.status, error.type]).toEqual([422, 'https://kyc.dev/problems/idempotency-key-reused']);
  });
});
