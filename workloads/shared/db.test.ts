// withTransaction ends every transaction it began: ROLLBACK on a connection that answers, and the
// connection discarded (PostgreSQL rolls back on close) when it is gone or frozen.
import { describe, expect, it } from '@jest/globals';
import { DatabaseError } from 'pg';
import type { Pool, PoolClient } from 'pg';
import { LONG_STATEMENT_MS, createPool, isConnectionBroken, liftRequestBudgets, withPipelinedTransaction, withTransaction } from './db.js';

function fakePool(failOn: (sql: string) => Error | undefined): { pool: Pool; sent: string[]; released: unknown[] } {
  const sent: string[] = [];
  const released: unknown[] = [];
  const client = {
    query: (sql: string | { text: string }) => {
      const text = typeof sql === 'string' ? sql : sql.text;
      sent.push(text);
      const error = failOn(text);
      return error ? Promise.reject(error) : Promise.resolve({ rows: [], command: text.split(' ')[0] });
    },
    release: (error?: unknown) => {
      released.push(error);
    },
  } as unknown as PoolClient;
  return { pool: { connect: () => Promise.resolve(client) } as unknown as Pool, sent, released };
}

const unique = (): DatabaseError => Object.assign(new DatabaseError('duplicate key', 0, 'error'), { code: '23505', severity: 'ERROR' });

describe('createPool', () => {
  it('keeps at most `max` connections open while idle, however large the minimum asked for; none unless asked', async () => {
    // pg opens nothing until a query: these pools never connect.
    const url = 'postgres://unit:unit@127.0.0.1:1/unit';
    for (const [options, min] of [
      [{ max: 5, min: 8 }, 5],
      [{ max: 5, min: 3 }, 3],
      [{ min: 12 }, 10],
      [{ max: 5 }, 0],
    ] as const) {
      const pool = createPool(url, options);
      expect(pool.options.min).toBe(min);
      await pool.end();
    }
  });
});

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

describe('withPipelinedTransaction', () => {
  it('when the work succeeds, then BEGIN, the statements in the order they were started, COMMIT; the connection goes back', async () => {
    const { pool, sent, released } = fakePool(() => undefined);
    const result = withPipelinedTransaction(pool, async (tx) => {
      tx.send({ text: 'INSERT 1' });
      const [first] = await Promise.all([tx.query({ text: 'SELECT 2' }), tx.query({ text: 'SELECT 3' })]);
      tx.send({ text: 'INSERT 4' });
      return first.command;
    });
    await expect(result).resolves.toBe('SELECT');
    expect(sent).toEqual(['BEGIN', 'INSERT 1', 'SELECT 2', 'SELECT 3', 'INSERT 4', 'COMMIT']);
    expect(released).toEqual([undefined]);
  });

  it('when a write nobody waited for is refused, then its error is the one reported, at the next statement, and ROLLBACK follows', async () => {
    const { pool, sent, released } = fakePool((sql) => (sql === 'INSERT 1' ? unique() : undefined));
    const result = withPipelinedTransaction(pool, async (tx) => {
      tx.send({ text: 'INSERT 1' });
      await tx.query({ text: 'SELECT 2' });
      return 'not reached';
    });
    await expect(result).rejects.toMatchObject({ code: '23505' });
    expect(sent).toEqual(['BEGIN', 'INSERT 1', 'SELECT 2', 'ROLLBACK']);
    expect(released).toEqual([undefined]);
  });

  it('when the first of two statements asked together is refused, then its error is reported, not the aborted transaction of the second', async () => {
    const aborted = Object.assign(new DatabaseError('current transaction is aborted', 0, 'error'), { code: '25P02', severity: 'ERROR' });
    const { pool, sent } = fakePool((sql) => (sql === 'SELECT 2' ? unique() : sql === 'SELECT 3' ? aborted : undefined));
    const result = withPipelinedTransaction(pool, (tx) => Promise.all([tx.query({ text: 'SELECT 2' }), tx.query({ text: 'SELECT 3' })]));
    await expect(result).rejects.toMatchObject({ code: '23505' });
    expect(sent).toEqual(['BEGIN', 'SELECT 2', 'SELECT 3', 'ROLLBACK']);
  });

  it('when the last writes are refused, then COMMIT reports their error, not a commit', async () => {
    const { pool, sent } = fakePool((sql) => (sql === 'INSERT 1' ? unique() : undefined));
    await expect(withPipelinedTransaction(pool, (tx) => Promise.resolve(tx.send({ text: 'INSERT 1' })))).rejects.toMatchObject({
      code: '23505',
    });
    expect(sent).toEqual(['BEGIN', 'INSERT 1', 'COMMIT', 'ROLLBACK']);
  });

  it('when a statement is started after the transaction ended, then it is refused, not run on a pooled connection', async () => {
    const { pool, sent } = fakePool(() => undefined);
    let late: Promise<unknown> | undefined;
    await withPipelinedTransaction(pool, (tx) => {
      late = Promise.resolve()
        .then(() => new Promise((resolve) => setImmediate(resolve)))
        .then(() => tx.query({ text: 'SELECT late' }));
      return Promise.resolve();
    });
    await expect(late).rejects.toThrow('statement sent after its transaction ended');
    expect(sent).toEqual(['BEGIN', 'COMMIT']);
  });

  it('when the connection breaks, then no ROLLBACK is waited for and the connection is discarded', async () => {
    const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const { pool, sent, released } = fakePool((sql) => (sql === 'SELECT 1' ? reset : undefined));
    await expect(withPipelinedTransaction(pool, (tx) => tx.query({ text: 'SELECT 1' }))).rejects.toBe(reset);
    expect(sent).toEqual(['BEGIN', 'SELECT 1']);
    expect(released).toEqual([reset]);
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
