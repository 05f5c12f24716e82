// Four eyes: the checker who approves, rejects or returns an application must not be the maker who
// recommended it. The maker of record is whoever made the most recent recommendation.

export interface MakerCheckerViolation {
  readonly message: string;
}

export function checkFourEyes(makerId: string | null, checkerId: string): MakerCheckerViolation | null {
  if (makerId === null) return { message: 'the application has no recommendation to decide on' };
  if (makerId === checkerId) return { message: 'the checker must be a different person from the maker' };
  return null;
}
