// Duplicate detection: the same PAN or Aadhaar (compared by blind index, never in clear) on another
// live application. Rejected, cancelled and expired applications do not count.
import type { ApplicationState } from './application-state.js';

export interface IdentityKeys {
  readonly applicationId: string;
  readonly ownerId: string;
  readonly panIndex: string | null;
  readonly aadhaarIndex: string | null;
}

export interface ExistingApplication extends IdentityKeys {
  readonly state: ApplicationState;
}

export interface DuplicateMatch {
  readonly applicationId: string;
  readonly matchedOn: ReadonlyArray<'pan' | 'aadhaar'>;
  readonly sameCustomer: boolean;
}

const NOT_LIVE: ReadonlySet<ApplicationState> = new Set(['rejected', 'cancelled', 'expired', 'draft']);

export function findDuplicates(candidate: IdentityKeys, existing: readonly ExistingApplication[]): DuplicateMatch[] {
  const matches: DuplicateMatch[] = [];
  for (const other of existing) {
    if (other.applicationId === candidate.applicationId || NOT_LIVE.has(other.state)) continue;
    const matchedOn: Array<'pan' | 'aadhaar'> = [];
    if (candidate.panIndex !== null && candidate.panIndex === other.panIndex) matchedOn.push('pan');
    if (candidate.aadhaarIndex !== null && candidate.aadhaarIndex === other.aadhaarIndex) matchedOn.push('aadhaar');
    if (matchedOn.length === 0) continue;
    matches.push({ applicationId: other.applicationId, matchedOn, sameCustomer: other.ownerId === candidate.ownerId });
  }
  return matches;
}

/** A different customer using the same identity number is what makes a duplicate suspicious. */
export function identitySharedWithAnotherCustomer(matches: readonly DuplicateMatch[]): boolean {
  return matches.some((m) => !m.sameCustomer);
}
