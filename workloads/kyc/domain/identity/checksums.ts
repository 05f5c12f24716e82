// Check-digit algorithms used by Indian identity numbers. Pure functions over digit strings.

// Verhoeff's dihedral-group tables (multiplication d, permutation p). Aadhaar numbers and VIDs carry a
// Verhoeff check digit in their last position.
const VERHOEFF_D: readonly (readonly number[])[] = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 2, 3, 4, 0, 6, 7, 8, 9, 5],
  [2, 3, 4, 0, 1, 7, 8, 9, 5, 6],
  [3, 4, 0, 1, 2, 8, 9, 5, 6, 7],
  [4, 0, 1, 2, 3, 9, 5, 6, 7, 8],
  [5, 9, 8, 7, 6, 0, 4, 3, 2, 1],
  [6, 5, 9, 8, 7, 1, 0, 4, 3, 2],
  [7, 6, 5, 9, 8, 2, 1, 0, 4, 3],
  [8, 7, 6, 5, 9, 3, 2, 1, 0, 4],
  [9, 8, 7, 6, 5, 4, 3, 2, 1, 0],
];
const VERHOEFF_P: readonly (readonly number[])[] = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
  [1, 5, 7, 6, 2, 8, 3, 0, 9, 4],
  [5, 8, 0, 3, 7, 9, 6, 1, 4, 2],
  [8, 9, 1, 6, 0, 4, 3, 5, 2, 7],
  [9, 4, 5, 3, 1, 2, 6, 8, 7, 0],
  [4, 2, 8, 6, 5, 7, 3, 9, 0, 1],
  [2, 7, 9, 3, 8, 0, 6, 4, 1, 5],
  [7, 0, 4, 6, 9, 1, 3, 2, 5, 8],
];
const VERHOEFF_INV: readonly number[] = [0, 4, 3, 2, 1, 5, 6, 7, 8, 9];

const DIGITS = /^[0-9]+$/;

function table(t: readonly (readonly number[])[], row: number, col: number): number {
  // Indexes are always 0..9 / 0..7 here; the fallback only satisfies noUncheckedIndexedAccess.
  return t[row]?.[col] ?? 0;
}

/** The Verhoeff checksum of `digits` (0 when the last digit is a correct check digit). */
function verhoeffChecksum(digits: string, offset: number): number {
  let c = 0;
  const n = digits.length;
  for (let i = 0; i < n; i++) {
    const digit = digits.charCodeAt(n - 1 - i) - 48;
    c = table(VERHOEFF_D, c, table(VERHOEFF_P, (i + offset) % 8, digit));
  }
  return c;
}

/** True when `digits` (all 0-9) ends in a valid Verhoeff check digit. */
export function isVerhoeffValid(digits: string): boolean {
  if (!DIGITS.test(digits)) return false;
  return verhoeffChecksum(digits, 0) === 0;
}

/** The Verhoeff check digit to append to `digits`. */
export function verhoeffCheckDigit(digits: string): string {
  if (!DIGITS.test(digits)) throw new Error('verhoeff: digits only');
  return String(VERHOEFF_INV[verhoeffChecksum(digits, 1)]);
}

/** True when `digits` passes the Luhn (mod 10) check, the last digit being the check digit. */
export function isLuhnValid(digits: string): boolean {
  if (!DIGITS.test(digits)) return false;
  return luhnSum(digits, false) % 10 === 0;
}

/** The Luhn check digit to append to `digits`. */
export function luhnCheckDigit(digits: string): string {
  if (!DIGITS.test(digits)) throw new Error('luhn: digits only');
  return String((10 - (luhnSum(digits, true) % 10)) % 10);
}

function luhnSum(digits: string, doubleFirst: boolean): number {
  let sum = 0;
  let double = doubleFirst;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum;
}
