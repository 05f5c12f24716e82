// How long a client must wait after failed logins, per account AND client address. Keyed by both so a
// stranger failing against an account from their address slows only themselves: the account's owner,
// from any other address, signs in as usual (an account-wide lockout let anyone lock out a checker or
// an admin). The delay doubles per failure from `baseMs` to `maxMs`: a typo costs a second, a guessing
// run quickly reaches minutes per guess.
export function backoffDelayMs(failures: number, baseMs: number, maxMs: number): number {
  if (failures <= 0) return 0;
  // 2^30 already exceeds any sane cap; the min keeps the exponent from overflowing.
  return Math.min(maxMs, baseMs * 2 ** Math.min(failures - 1, 30));
}
