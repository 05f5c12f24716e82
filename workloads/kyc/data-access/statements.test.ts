import { describe, expect, it } from '@jest/globals';
import { AUDIT_COLUMNS, CONSENT_COLUMNS, DeferredWrites, statementName } from './statements.js';

describe('statementName', () => {
  it('names the same text the same way, and different texts differently, within the 63 bytes PostgreSQL allows', () => {
    const a = statementName('SELECT 1');
    expect(statementName('SELECT 1')).toBe(a);
    expect(statementName('SELECT 2')).not.toBe(a);
    expect(Buffer.byteLength(a)).toBeLessThanOrEqual(63);
  });
});

describe('DeferredWrites', () => {
  it('has nothing to write when nothing was added', () => {
    expect(new DeferredWrites().take('"s"')).toBeUndefined();
  });

  it('writes one table as one multi-row INSERT, rows in the order they were added', () => {
    const writes = new DeferredWrites();
    writes.add('outbox', ['e1', 't', 'k', 'type', '{}']);
    writes.add('outbox', ['e2', 't', 'k', 'type', '{}']);
    expect(writes.size).toBe(2);
    const statement = writes.take('"s"');
    expect(statement?.text).toBe(
      'INSERT INTO "s".outbox (event_id, topic, key, event_type, payload) VALUES ($1, $2, $3, $4, $5), ($6, $7, $8, $9, $10)',
    );
    expect(statement?.values).toEqual(['e1', 't', 'k', 'type', '{}', 'e2', 't', 'k', 'type', '{}']);
    expect(writes.take('"s"')).toBeUndefined();
  });

  it('writes several tables in one statement of data-modifying CTEs, numbering the parameters through', () => {
    const writes = new DeferredWrites();
    writes.add('consents', ['c1', 'a1', 'u1', ['kyc'], 'v1']);
    writes.add('audit_trail', ['a1', 'u1', 'customer', 'create', null, 'draft', '{}', 'r1']);
    writes.add('outbox', ['e1', 't', 'a1', 'kyc.application.created', '{}']);
    const statement = writes.take('"s"');
    expect(statement?.text).toBe(
      `WITH w0 AS (INSERT INTO "s".consents ${CONSENT_COLUMNS} VALUES ($1, $2, $3, $4, $5)), ` +
        `w1 AS (INSERT INTO "s".audit_trail ${AUDIT_COLUMNS} VALUES ($6, $7, $8, $9, $10, $11, $12, $13)) ` +
        'INSERT INTO "s".outbox (event_id, topic, key, event_type, payload) VALUES ($14, $15, $16, $17, $18)',
    );
    expect(statement?.values).toHaveLength(18);
    expect(statement?.values[13]).toBe('e1');
  });

  it('refuses a row of the wrong width', () => {
    const writes = new DeferredWrites();
    writes.add('outbox', ['e1', 't', 'k', 'type', '{}']);
    expect(() => writes.add('outbox', ['e2'])).toThrow(/expected 5/);
  });
});
