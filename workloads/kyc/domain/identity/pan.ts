// Permanent Account Number: AAAAA9999A. The 4th letter says who holds it, the 5th is (for an
// individual) the first letter of the surname, the 10th is a check letter whose algorithm is not
// public, so it is deliberately not validated.
import { type Checked, invalid, stripSeparators, valid } from './result.js';

export const PAN_HOLDER_TYPES = {
  A: 'association_of_persons',
  B: 'body_of_individuals',
  C: 'company',
  F: 'firm',
  G: 'government',
  H: 'hindu_undivided_family',
  L: 'local_authority',
  J: 'artificial_juridical_person',
  P: 'individual',
  T: 'trust',
  K: 'krishi',
} as const;
export type PanHolderType = (typeof PAN_HOLDER_TYPES)[keyof typeof PAN_HOLDER_TYPES];

export interface Pan {
  /** Normalised: upper case, no separators. */
  readonly number: string;
  readonly holderType: PanHolderType;
}

const PAN_PATTERN = /^[A-Z]{5}[0-9]{4}[A-Z]$/;

export function normalisePan(raw: string): string {
  return stripSeparators(raw);
}

/**
 * Validates a PAN. When `surname` is given and the PAN belongs to an individual, its 5th character
 * must be the surname's first letter (transliterated names: the first Latin letter after removing accents).
 */
export function validatePan(raw: string, surname?: string): Checked<Pan> {
  const number = normalisePan(raw);
  if (!PAN_PATTERN.test(number)) return invalid('PAN must be 5 letters, 4 digits and a letter, e.g. ABCPE1234F');
  if (number.slice(5, 9) === '0000') return invalid('PAN digits 6-9 cannot be 0000');
  const holderType = PAN_HOLDER_TYPES[number[3] as keyof typeof PAN_HOLDER_TYPES] as PanHolderType | undefined;
  if (holderType === undefined) return invalid(`PAN 4th character ${number[3]} is not a known holder type`);
  if (holderType === 'individual' && surname !== undefined) {
    const initial = latinInitial(surname);
    if (initial !== undefined && number[4] !== initial) {
      return invalid("PAN 5th character must be the first letter of the holder's surname");
    }
  }
  return valid({ number, holderType });
}

/** `ABCPE1234F` → `ABCPEXXXXF`: the digits hidden, the letters (not identifying on their own) shown. */
export function maskPan(pan: string): string {
  const number = normalisePan(pan);
  if (!PAN_PATTERN.test(number)) return 'X'.repeat(number.length);
  return `${number.slice(0, 5)}XXXX${number.slice(9)}`;
}

function latinInitial(name: string): string | undefined {
  const match = /[A-Z]/.exec(name.normalize('NFKD').replace(/\p{M}/gu, '').toUpperCase());
  return match?.[0];
}
