import { describe, expect, it } from '@jest/globals';
import { type ExistingApplication, findDuplicates, identitySharedWithAnotherCustomer } from './duplicates.js';

const candidate = { applicationId: 'a-new', ownerId: 'cust-1', panIndex: 'v1:pan-x', aadhaarIndex: 'v1:aad-y' };
const other = (overrides: Partial<ExistingApplication>): ExistingApplication => ({
  applicationId: 'a-old',
  ownerId: 'cust-2',
  panIndex: 'v1:pan-other',
  aadhaarIndex: 'v1:aad-other',
  state: 'approved',
  ...overrides,
});

describe('duplicate detection', () => {
  it('finds another customer using the same PAN or Aadhaar', () => {
    const matches = findDuplicates(candidate, [
      other({ applicationId: 'p', panIndex: 'v1:pan-x' }),
      other({ applicationId: 'a', aadhaarIndex: 'v1:aad-y', state: 'pending_review' }),
      other({ applicationId: 'both', panIndex: 'v1:pan-x', aadhaarIndex: 'v1:aad-y', state: 'submitted' }),
    ]);
    expect(matches).toEqual([
      { applicationId: 'p', matchedOn: ['pan'], sameCustomer: false },
      { applicationId: 'a', matchedOn: ['aadhaar'], sameCustomer: false },
      { applicationId: 'both', matchedOn: ['pan', 'aadhaar'], sameCustomer: false },
    ]);
    expect(identitySharedWithAnotherCustomer(matches)).toBe(true);
  });

  it('reports the same customer’s other live application without calling it suspicious', () => {
    const matches = findDuplicates(candidate, [other({ ownerId: 'cust-1', panIndex: 'v1:pan-x' })]);
    expect(matches).toEqual([{ applicationId: 'a-old', matchedOn: ['pan'], sameCustomer: true }]);
    expect(identitySharedWithAnotherCustomer(matches)).toBe(false);
  });

  it.each(['rejected', 'cancelled', 'expired', 'draft'] as const)('ignores %s applications', (state) => {
    expect(findDuplicates(candidate, [other({ panIndex: 'v1:pan-x', state })])).toEqual([]);
  });

  it('ignores the application itself and missing identifiers', () => {
    expect(findDuplicates(candidate, [other({ applicationId: 'a-new', panIndex: 'v1:pan-x' })])).toEqual([]);
    expect(findDuplicates({ ...candidate, panIndex: null, aadhaarIndex: null }, [other({ panIndex: null, aadhaarIndex: null })])).toEqual(
      [],
    );
  });
});
