// withTransaction ends every transaction it began: ROLLBACK on a connection that answers, and the
// connection discarded (PostgreSQL rolls back on close) when it is gone or frozen.
import { describe, expect, it } from '@jest/globals';
import { DatabaseError } from 'pg';
import type { Pool, PoolClient } from 'pg';
import { LONG_STATEMENT_MS, isConnectionBroken, liftRequestBudgets, withTransaction } from './db.js';

function fakePool(failOn: (sql: string) => Error | undefined): { pool: Pool; sent: string[]; released: unknown[] } {
  const sent: string[] = [];
  const released: unknown[] = [];
  const client = {
    query: (sql: string) => {
      sent.push(sql);
      const error = failOn(sql);
      return error ? Promise.reject(error) : Promise.resolve({ rows: [] });
    },
    release: (error?: unknown) => {
      released.push(error);
    },
  } as unknown as PoolClient;
  return { pool: { connect: () => Promise.resolve(client) } as unknown as Pool, sent, released };
}

const unique = (): DatabaseError => Object.assign(new DatabaseError('duplicate key', 0, 'error'), { code: '23505', severity: 'ERROR' });

describe('withTransaction', () => {
  it('when the work succeeds, then BEGIN … COMMIT and the connection goes back to the pool', async () => {
    const { pool, sent, released } = fakePool(() => undefined);
    await expect(withTransaction(pool, async (c) => (await c.query('INSERT 1'), 'ok'))).resolves.toBe('ok');
    expect(sent).toEqual(['BEGIN', 'INSERT 1', 'COMMIT']);
    expect(released).toEqual([undefined]);
  });

  it('when PostgreSQL refuses a statement, then ROLLBACK and the connection is kept', async () => {
    const { pool, sent, released } = fakePool((sql) => (sql === 'INSERT 2' ? unique() : undefined));
    await expect(withTransaction(pool, async (c) => c.query('INSERT 1').then(() => c.query('INSERT 2')))).rejects.toMatchObject({
      code: '23505',
    });
    expect(sent).toEqual(['BEGIN', 'INSERT 1', 'INSERT 2', 'ROLLBACK']);
    expect(released).toEqual([undefined]);
  });

  it('when a statement times out client side, then no ROLLBACK is waited for and the connection is discarded', async () => {
    const timeout = new Error('Query read timeout');
    const { pool, sent, released } = fakePool((sql) => (sql === 'INSERT 2' ? timeout : undefined));
    await expect(withTransaction(pool, async (c) => c.query('INSERT 1').then(() => c.query('INSERT 2')))).rejects.toBe(timeout);
    expect(sent).toEqual(['BEGIN', 'INSERT 1', 'INSERT 2']);
    expect(released).toEqual([timeout]);
  });

  it('when COMMIT meets a reset connection, then the connection is discarded', async () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const { pool, sent, released } = fakePool((sql) => (sql === 'COMMIT' ? reset : undefined));
    await expect(withTransaction(pool, () => Promise.resolve(1))).rejects.toBe(reset);
    expect(sent).toEqual(['BEGIN', 'COMMIT']);
    expect(released).toEqual([reset]);
  });

  it('when the ROLLBACK itself fails, then the connection is discarded too', async () => {
    const rollback = new Error('Connection terminated unexpectedly');
    const { pool, released } = fakePool((sql) => (sql === 'INSERT 1' ? unique() : sql === 'ROLLBACK' ? rollback : undefined));
    await expect(withTransaction(pool, (c) => c.query('INSERT 1'))).rejects.toMatchObject({ code: '23505' });
    expect(released).toEqual([rollback]);
  });
});

describe('isConnectionBroken', () => {
  it.each([
    [new Error('Query read timeout'), true],
    [new Error('Connection terminated unexpectedly'), true],
    [Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }), true],
    [unique(), false],
    [
      Object.assign(new DatabaseError('canceling statement due to statement timeout', 0, 'error'), { code: '57014', severity: 'ERROR' }),
      false,
    ],
    [new Error('bug'), false],
    [undefined, false],
  ])('%p → %p', (error, broken) => {
    expect(isConnectionBroken(error)).toBe(broken);
  });
});

describe('liftRequestBudgets', () => {
  it('lifts the server and client timeouts for start-up work and puts both back', async () => {
    const sent: string[] = [];
    const client = {
      connectionParameters: { query_timeout: 2000 },
      query: (sql: string) => (sent.push(sql), Promise.resolve({ rows: [] })),
    };
    const restore = await liftRequestBudgets(client as unknown as PoolClient);
    expect(client.connectionParameters.query_timeout).toBe(LONG_STATEMENT_MS);
    await restore();
    expect(client.connectionParameters.query_timeout).toBe(2000);
    expect(sent).toEqual([`SET statement_timeout = ${LONG_STATEMENT_MS}`, 'RESET statement_timeout']);
  });
});
