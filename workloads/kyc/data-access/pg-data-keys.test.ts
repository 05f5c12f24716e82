import { describe, expect, it } from '@jest/globals';
import { contractOperations } from '../../shared/migration-compat.js';
import { PII_DATA_KEYS_SQL, PII_PARKING_SQL } from './pg-data-keys.js';

describe('the PII key migrations', () => {
  it('only expand the schema: a running older version goes on working beside them (docs/releases.md)', () => {
    expect(contractOperations(PII_DATA_KEYS_SQL)).toEqual([]);
    expect(contractOperations(PII_PARKING_SQL)).toEqual([]);
  });

  it('store a parked key only wrapped, and end an application hold with the application', () => {
    expect(PII_PARKING_SQL).toMatch(
      /CREATE TABLE pii_parked_keys \(\s*id text PRIMARY KEY,\s*kms_key_id text NOT NULL,\s*wrapped bytea NOT NULL,/,
    );
    expect(PII_PARKING_SQL).toContain('application_id uuid PRIMARY KEY REFERENCES applications (id) ON DELETE CASCADE');
  });
});
