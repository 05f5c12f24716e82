// An admin's change to another staff account (a role change, disable, enable) and the rules a bank
// keeps on it, judged on the active admins the store locked for the change: two admins removing each
// other at the same moment cannot leave the bank with none (docs/frontend.md, "The admin's pages").
import type { Role } from '../../shared/roles.js';
import type { UserRecord } from './ports.js';

export type AccountChange = { kind: 'role'; role: Role; staffId?: string } | { kind: 'disable' } | { kind: 'enable' };

/**
 * `last-admin`: the change would leave no active admin. `not-admin`: the actor is no longer an active
 * admin (another admin removed them a moment ago; their token is being revoked).
 */
export type ChangeRefusal = 'last-admin' | 'not-admin';

/** Whether `change` takes an admin away: it disables an active admin or gives one another role. */
function removesAdmin(target: UserRecord, change: AccountChange, activeAdminIds: readonly string[]): boolean {
  if (!activeAdminIds.includes(target.id)) return false;
  return change.kind === 'disable' || (change.kind === 'role' && change.role !== 'admin');
}

/** What `actorId`'s change of `target` would break, or undefined when it may go ahead. */
export function refusalOf(
  actorId: string,
  target: UserRecord,
  change: AccountChange,
  activeAdminIds: readonly string[],
): ChangeRefusal | undefined {
  if (removesAdmin(target, change, activeAdminIds) && activeAdminIds.every((id) => id === target.id)) return 'last-admin';
  if (!activeAdminIds.includes(actorId)) return 'not-admin';
  return undefined;
}
