import { describe, expect, it } from '@jest/globals';
import { maskPan, normalisePan, validatePan } from './pan.js';

describe('PAN', () => {
  it.each([
    ['ABCPE1234F', 'individual'],
    ['AAACR5055K', 'company'],
    ['AAAFB1234C', 'firm'],
    ['AAAHK0001Z', 'hindu_undivided_family'],
    ['AAATT9999A', 'trust'],
    ['AAAGG1000Q', 'government'],
    ['AAAJA0010B', 'artificial_juridical_person'],
    ['AAALL0100C', 'local_authority'],
    ['AAABB1001D', 'body_of_individuals'],
    ['AAAAA1010E', 'association_of_persons'],
    ['AAAKK0002F', 'krishi'],
  ])('accepts %s as %s', (pan, holderType) => {
    expect(validatePan(pan)).toEqual({ ok: true, value: { number: pan, holderType } });
  });

  it('normalises spaces, hyphens and case before checking', () => {
    expect(normalisePan(' abcpe-1234 f ')).toBe('ABCPE1234F');
    expect(validatePan('abcpe 1234 f')).toMatchObject({ ok: true, value: { number: 'ABCPE1234F' } });
  });

  it.each([
    ['', 'empty'],
    ['ABCPE1234', 'too short'],
    ['ABCPE12345F', 'too long'],
    ['ABCP11234F', '5th character a digit'],
    ['ABCPE1234', 'missing check letter'],
    ['1BCPE1234F', 'starts with a digit'],
    ['ABCPEA234F', 'letter among the digits'],
    ['ABCPE12341', 'digit as check letter'],
    ['ÄBCPE1234F', 'non-ASCII letter'],
  ])('rejects %j (%s)', (pan) => {
    expect(validatePan(pan).ok).toBe(false);
  });

  it('rejects 0000 as the sequential number', () => {
    expect(validatePan('ABCPE0000F')).toEqual({ ok: false, reason: 'PAN digits 6-9 cannot be 0000' });
  });

  it.each(['D', 'E', 'I', 'M', 'N', 'O', 'Q', 'R', 'S', 'U', 'V', 'W', 'X', 'Y', 'Z'])('rejects holder type %s', (type) => {
    const result = validatePan(`ABC${type}E1234F`);
    expect(result.ok).toBe(false);
  });

  it("requires an individual's 5th character to be the surname initial", () => {
    expect(validatePan('ABCPE1234F', 'Easwaran').ok).toBe(true);
    expect(validatePan('ABCPE1234F', 'éaswaran').ok).toBe(true);
    expect(validatePan('ABCPE1234F', 'Sharma')).toEqual({
      ok: false,
      reason: "PAN 5th character must be the first letter of the holder's surname",
    });
  });

  it('does not apply the surname rule to non-individuals or to surnames without a Latin letter', () => {
    expect(validatePan('AAACR5055K', 'Sharma').ok).toBe(true);
    expect(validatePan('ABCPE1234F', 'शर्मा').ok).toBe(true);
  });

  it('does not validate the check letter (its algorithm is not public)', () => {
    for (const letter of 'ABCDEFGHIJKLMNOPQRSTUVWXYZ') expect(validatePan(`ABCPE1234${letter}`).ok).toBe(true);
  });

  it('masks the digits', () => {
    expect(maskPan('AAPPV1234K')).toBe('AAPPVXXXXK');
    expect(maskPan('aappv-1234-k')).toBe('AAPPVXXXXK');
    expect(maskPan('garbage')).toBe('XXXXXXX');
  });
});
