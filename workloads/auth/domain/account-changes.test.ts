import { describe, expect, it } from '@jest/globals';
import type { Role } from '../../shared/roles.js';
import { refusalOf } from './account-changes.js';
import type { UserRecord } from './ports.js';

const user = (id: string, role: Role): UserRecord => ({
  id,
  email: `${id}@bank.example`,
  passwordHash: 'x',
  role,
  name: null,
  staffId: null,
  createdAt: new Date(0),
  disabled: false,
});

describe('refusalOf', () => {
  it('when another active admin stays, then an admin may be made a checker or disabled', () => {
    expect(refusalOf('a', user('b', 'admin'), { kind: 'role', role: 'checker', staffId: 'EMP-1' }, ['a', 'b'])).toBeUndefined();
    expect(refusalOf('a', user('b', 'admin'), { kind: 'disable' }, ['a', 'b'])).toBeUndefined();
  });

  it('when the target is the only active admin left, then taking its role or disabling it is refused: last-admin', () => {
    // The actor was removed by the target a moment before, in a change that committed first.
    expect(refusalOf('b', user('a', 'admin'), { kind: 'role', role: 'maker', staffId: 'EMP-2' }, ['a'])).toBe('last-admin');
    expect(refusalOf('b', user('a', 'admin'), { kind: 'disable' }, ['a'])).toBe('last-admin');
  });

  it('when the last admin stays an admin, then it is not a removal', () => {
    expect(refusalOf('a', user('a', 'admin'), { kind: 'role', role: 'admin' }, ['a'])).toBeUndefined();
  });

  it('when the actor is no longer an active admin, then any change is refused: not-admin', () => {
    expect(refusalOf('gone', user('m', 'maker'), { kind: 'role', role: 'checker' }, ['a'])).toBe('not-admin');
    expect(refusalOf('gone', user('m', 'maker'), { kind: 'enable' }, ['a'])).toBe('not-admin');
  });
});
