// The other officially valid document numbers an applicant may give.
import { isLuhnValid } from './checksums.js';
import { type Checked, invalid, stripSeparators, valid } from './result.js';

/** Voter ID (EPIC): 3 letters and 7 digits, the 7 digits passing a Luhn check. */
export function validateVoterId(raw: string): Checked<string> {
  const epic = stripSeparators(raw);
  if (!/^[A-Z]{3}[0-9]{7}$/.test(epic)) return invalid('voter ID must be 3 letters and 7 digits, e.g. WKH1186253');
  if (!isLuhnValid(epic.slice(3))) return invalid('voter ID check digit is wrong');
  return valid(epic);
}

/** Indian passport number: a letter and 7 digits. */
export function validatePassport(raw: string): Checked<string> {
  const passport = stripSeparators(raw);
  if (!/^[A-Z][0-9]{7}$/.test(passport)) return invalid('passport number must be a letter and 7 digits, e.g. J8369854');
  return valid(passport);
}

// State and union-territory codes used on driving licences (old and new codes both appear on valid cards).
const DL_STATE_CODES = new Set([
  'AN',
  'AP',
  'AR',
  'AS',
  'BR',
  'CG',
  'CH',
  'DD',
  'DL',
  'DN',
  'GA',
  'GJ',
  'HP',
  'HR',
  'JH',
  'JK',
  'KA',
  'KL',
  'LA',
  'LD',
  'MH',
  'ML',
  'MN',
  'MP',
  'MZ',
  'NL',
  'OD',
  'OR',
  'PB',
  'PY',
  'RJ',
  'SK',
  'TN',
  'TR',
  'TS',
  'UK',
  'UA',
  'UP',
  'WB',
]);

/**
 * Driving licence: state code (2 letters) + RTO (2 digits) + year of issue (4 digits) + serial (7 digits),
 * e.g. `MH14 20110062821`. The year must not be before 1950 or after `today`'s year.
 */
export function validateDrivingLicence(raw: string, today: Date): Checked<string> {
  const dl = stripSeparators(raw);
  const match = /^([A-Z]{2})([0-9]{2})([0-9]{4})([0-9]{7})$/.exec(dl);
  if (!match) return invalid('driving licence must be state code, 2-digit RTO, 4-digit year and 7-digit serial');
  const [, state, rto, year] = match;
  if (!DL_STATE_CODES.has(state ?? '')) return invalid(`driving licence state code ${state} is not an Indian state`);
  if (rto === '00') return invalid('driving licence RTO code cannot be 00');
  const issued = Number(year);
  if (issued < 1950 || issued > today.getUTCFullYear()) return invalid('driving licence year of issue is not plausible');
  return valid(dl);
}

/** Central KYC identifier (KIN): 14 digits. */
export function validateCkycNumber(raw: string): Checked<string> {
  const kin = raw.replace(/[\s-]+/g, '');
  if (!/^[0-9]{14}$/.test(kin)) return invalid('CKYC number must be 14 digits');
  return valid(kin);
}
