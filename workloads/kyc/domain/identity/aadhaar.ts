// Aadhaar numbers (12 digits, first 2-9) and Virtual IDs (16 digits), both ending in a Verhoeff check
// digit. The clear number never leaves the vault: business tables keep a token and the last 4 digits.
import { isVerhoeffValid } from './checksums.js';
import { type Checked, invalid, valid } from './result.js';

export interface Aadhaar {
  readonly kind: 'aadhaar' | 'vid';
  /** 12 or 16 digits, no separators. */
  readonly number: string;
  readonly last4: string;
}

export function normaliseAadhaar(raw: string): string {
  return raw.replace(/[\s-]+/g, '');
}

export function validateAadhaar(raw: string): Checked<Aadhaar> {
  const number = normaliseAadhaar(raw);
  if (/^[0-9]{12}$/.test(number)) {
    if (number[0] === '0' || number[0] === '1') return invalid('Aadhaar number cannot start with 0 or 1');
    if (!isVerhoeffValid(number)) return invalid('Aadhaar number check digit is wrong');
    return valid({ kind: 'aadhaar', number, last4: number.slice(-4) });
  }
  if (/^[0-9]{16}$/.test(number)) {
    if (!isVerhoeffValid(number)) return invalid('Aadhaar VID check digit is wrong');
    return valid({ kind: 'vid', number, last4: number.slice(-4) });
  }
  return invalid('Aadhaar must be a 12-digit Aadhaar number or a 16-digit VID');
}

/** The only form in which Aadhaar is shown: `XXXX XXXX 1234` (VID: `XXXX XXXX XXXX 1234`). */
export function maskAadhaar(last4: string, kind: Aadhaar['kind'] = 'aadhaar'): string {
  return kind === 'vid' ? `XXXX XXXX XXXX ${last4}` : `XXXX XXXX ${last4}`;
}
