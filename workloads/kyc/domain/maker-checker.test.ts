import { describe, expect, it } from '@jest/globals';
import { checkFourEyes, checkNotOwnApplication } from './maker-checker.js';

describe('four eyes', () => {
  it('needs a recommendation and a checker other than its maker', () => {
    expect(checkFourEyes(null, 'checker-1')?.message).toMatch(/no recommendation/);
    expect(checkFourEyes('staff-1', 'staff-1')?.message).toMatch(/different person/);
    expect(checkFourEyes('maker-1', 'checker-1')).toBeNull();
  });
});

describe('nobody reviews their own application', () => {
  it('refuses the applicant as reviewer and says who must review instead', () => {
    expect(checkNotOwnApplication('user-7', 'user-7')?.message).toMatch(/you are the applicant.*another member of staff/);
  });

  it('lets anyone else review', () => {
    expect(checkNotOwnApplication('user-7', 'user-8')).toBeNull();
  });
});
