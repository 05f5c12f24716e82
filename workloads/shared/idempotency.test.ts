import { describe, expect, it } from '@jest/globals';
import type { Pool } from 'pg';
import { IDEMPOTENCY_TTL_SECONDS, IN_PROGRESS_LEASE_SECONDS, PostgresIdempotencyStore, canonicalJson } from './idempotency.js';

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
