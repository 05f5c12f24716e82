// Four eyes: the checker who approves, rejects or returns an application must not be the maker who
// recommended it. The maker of record is whoever made the most recent recommendation.
// And nobody reviews their own application: a staff member who is also a customer (the same user id
// the application is owned by) may neither recommend, request documents, nor decide on it.

export interface MakerCheckerViolation {
  readonly message: string;
}

export function checkFourEyes(makerId: string | null, checkerId: string): MakerCheckerViolation | null {
  if (makerId === null) return { message: 'the application has no recommendation to decide on' };
  if (makerId === checkerId) return { message: 'the checker must be a different person from the maker' };
  return null;
}

export function checkNotOwnApplication(ownerId: string, reviewerId: string): MakerCheckerViolation | null {
  if (ownerId !== reviewerId) return null;
  return { message: 'you are the applicant of this application: another member of staff must review it' };
}
