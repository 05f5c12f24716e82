import { describe, expect, it } from '@jest/globals';
import { DEFAULT_MAX_OPEN_DRAFTS, checkDraftLimit } from './drafts.js';

describe('checkDraftLimit', () => {
  it('allows drafts below the cap', () => {
    expect(checkDraftLimit(0, DEFAULT_MAX_OPEN_DRAFTS)).toBeNull();
    expect(checkDraftLimit(DEFAULT_MAX_OPEN_DRAFTS - 1, DEFAULT_MAX_OPEN_DRAFTS)).toBeNull();
  });

  it('when the cap is reached, then it refuses and says how to proceed', () => {
    const refusal = checkDraftLimit(5, 5);
    expect(refusal?.message).toMatch(/5 open draft applications \(at most 5\)/);
    expect(refusal?.message).toMatch(/submit or cancel one/);
    expect(checkDraftLimit(1, 1)?.message).toMatch(/1 open draft application \(/);
    expect(checkDraftLimit(9, 5)).not.toBeNull();
  });
});
