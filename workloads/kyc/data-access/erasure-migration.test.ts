import { describe, expect, it } from '@jest/globals';
import { contractOperations } from '../../shared/migration-compat.js';
import { ERASURE_SQL, LEGAL_HOLDS_SQL } from './erasure-migration.js';

describe('the erasure migrations', () => {
  it('only expand the schema: a running older version goes on working beside them (docs/releases.md)', () => {
    expect(contractOperations(ERASURE_SQL)).toEqual([]);
    expect(contractOperations(LEGAL_HOLDS_SQL)).toEqual([]);
  });

  it('install the request state machine of the domain: every allowed pair, and received as the only start', () => {
    expect(ERASURE_SQL).toContain("('received', 'completed'), ('received', 'retained'), ('retained', 'completed')");
    expect(ERASURE_SQL).toContain("IF NEW.state <> 'received' THEN");
  });
});
