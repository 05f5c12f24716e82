import { describe, expect, it } from '@jest/globals';
import { appRoleGrants, roleOf } from './privileges.js';

describe('appRoleGrants', () => {
  it('gives the service role rows, not objects: no TRUNCATE, REFERENCES or TRIGGER, and only SELECT on the migration ledger', () => {
    const statements = appRoleGrants('kyc', { role: 'kyc_app_kyc' });
    expect(statements).toContain('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "kyc" TO "kyc_app_kyc"');
    expect(statements).toContain('REVOKE INSERT, UPDATE, DELETE ON "kyc".schema_migrations FROM "kyc_app_kyc"');
    expect(statements.join('\n')).not.toMatch(/TRUNCATE|REFERENCES|TRIGGER|CREATE|ALL PRIVILEGES/);
  });

  it('when a table is append-only, then UPDATE and DELETE on it are taken back', () => {
    expect(appRoleGrants('kyc', { role: 'kyc_app_kyc', appendOnly: ['audit_trail'] }).at(-1)).toBe(
      'REVOKE UPDATE, DELETE ON "kyc"."audit_trail" FROM "kyc_app_kyc"',
    );
  });

  it('refuses a role name that is not a plain identifier', () => {
    expect(() => appRoleGrants('kyc', { role: 'x"; DROP TABLE y; --' })).toThrow('invalid SQL identifier');
  });
});

describe('roleOf', () => {
  it('is the user of the URL, decoded', () => {
    expect(roleOf('postgres://kyc_app_auth:secret@db:5432/kyc')).toBe('kyc_app_auth');
    expect(roleOf('postgres://a%5Fb:s@db/kyc')).toBe('a_b');
  });

  it('when the URL names no user, then it says so', () => {
    expect(() => roleOf('postgres://db:5432/kyc')).toThrow('names no user');
  });
});
