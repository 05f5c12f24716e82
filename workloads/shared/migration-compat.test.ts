import { describe, expect, it } from '@jest/globals';
import { contractOperations, incompatibility } from './migration-compat.js';
import type { Migration } from './migrate.js';

const operations = (sql: string) => contractOperations(sql).map((o) => o.operation);

describe('expand/contract: the contract operations a migration may not run beside the active version', () => {
  it.each([
    ['DROP TABLE', 'DROP TABLE consents'],
    ['DROP TABLE', 'drop table if exists kyc.consents cascade'],
    ['DROP SCHEMA', 'DROP SCHEMA kyc CASCADE'],
    ['DROP VIEW', 'DROP MATERIALIZED VIEW daily'],
    ['TRUNCATE', 'TRUNCATE outbox'],
    ['DROP COLUMN', 'ALTER TABLE applications DROP COLUMN findings'],
    ['DROP COLUMN', 'ALTER TABLE applications DROP findings'],
    ['DROP COLUMN', 'ALTER TABLE applications ADD COLUMN a text, DROP COLUMN IF EXISTS "findings"'],
    ['RENAME', 'ALTER TABLE applications RENAME COLUMN findings TO results'],
    ['RENAME', 'ALTER TABLE applications RENAME TO kyc_applications'],
    ['ALTER COLUMN TYPE', 'ALTER TABLE applications ALTER COLUMN risk_score TYPE bigint'],
    ['ALTER COLUMN TYPE', 'ALTER TABLE applications ALTER risk_score SET DATA TYPE numeric'],
    ['SET NOT NULL', 'ALTER TABLE applications ALTER COLUMN maker_id SET NOT NULL'],
    ['ADD COLUMN NOT NULL without DEFAULT', 'ALTER TABLE applications ADD COLUMN channel text NOT NULL'],
    [
      'ADD COLUMN NOT NULL without DEFAULT',
      "ALTER TABLE applications ADD COLUMN a text DEFAULT 'x', ADD COLUMN b text NOT NULL CHECK (b IN ('1', '2'))",
    ],
  ])('refuses %s: %s', (operation, sql) => {
    expect(operations(sql)).toContain(operation);
    expect(incompatibility('kyc', { version: 9, name: 'change', up: sql })).toMatch(
      new RegExp(`migration kyc 9 \\(change\\) contracts the schema .*${operation}.*expand/contract`),
    );
  });

  it.each([
    'CREATE TABLE t (id uuid PRIMARY KEY, name text NOT NULL)',
    'ALTER TABLE applications ADD COLUMN channel text',
    "ALTER TABLE applications ADD COLUMN channel text NOT NULL DEFAULT 'web'",
    'ALTER TABLE applications ADD COLUMN n bigint GENERATED ALWAYS AS IDENTITY NOT NULL',
    'CREATE INDEX applications_channel ON applications (channel)',
    'ALTER TABLE applications ALTER COLUMN maker_id DROP NOT NULL',
    'ALTER TABLE applications ALTER COLUMN state DROP DEFAULT',
    "ALTER TABLE notifications DROP CONSTRAINT notifications_status_check; ALTER TABLE notifications ADD CONSTRAINT notifications_status_check CHECK (status IN ('a', 'b'))",
    'CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN DROP TABLE x; RETURN NEW; END $$',
    '-- DROP TABLE consents is a comment\nCREATE TABLE x (id int)',
  ])('lets an expand-only migration through: %s', (sql) => {
    expect(operations(sql)).toEqual([]);
    expect(incompatibility('kyc', { version: 9, name: 'expand', up: sql })).toBeUndefined();
  });

  it('lets a contract step through when it is marked with its reason', () => {
    const step: Migration = {
      version: 9,
      name: 'drop findings',
      up: 'ALTER TABLE applications DROP COLUMN findings',
      contract: '1.4 no longer reads findings',
    };
    expect(incompatibility('kyc', step)).toBeUndefined();
  });

  it('refuses a function migration unless it declares itself expand-only or a contract step', () => {
    const up = () => Promise.resolve();
    expect(incompatibility('kyc', { version: 9, name: 'backfill', up })).toMatch(/cannot read: declare it expandOnly/);
    expect(incompatibility('kyc', { version: 9, name: 'backfill', up, expandOnly: true })).toBeUndefined();
  });
});
