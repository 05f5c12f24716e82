import { describe, expect, it } from '@jest/globals';
import { isLuhnValid, isVerhoeffValid, luhnCheckDigit, verhoeffCheckDigit } from './checksums.js';

describe('Verhoeff', () => {
  it('accepts the reference Aadhaar-style number and rejects a one-digit change', () => {
    expect(isVerhoeffValid('234123412346')).toBe(true);
    expect(isVerhoeffValid('234123412347')).toBe(false);
  });

  it('computes the check digit that makes a number valid', () => {
    expect(verhoeffCheckDigit('23412341234')).toBe('6');
    expect(verhoeffCheckDigit('236')).toBe('3'); // textbook example: 2363
    expect(isVerhoeffValid('2363')).toBe(true);
  });

  it('detects every single-digit substitution and adjacent transposition of a valid number', () => {
    const valid = '499118665246';
    expect(isVerhoeffValid(valid)).toBe(true);
    for (let i = 0; i < valid.length; i++) {
      for (let d = 0; d <= 9; d++) {
        if (String(d) === valid[i]) continue;
        const changed = valid.slice(0, i) + String(d) + valid.slice(i + 1);
        expect(isVerhoeffValid(changed)).toBe(false);
      }
      if (i + 1 < valid.length && valid[i] !== valid[i + 1]) {
        const swapped = valid.slice(0, i) + (valid[i + 1] ?? '') + (valid[i] ?? '') + valid.slice(i + 2);
        expect(isVerhoeffValid(swapped)).toBe(false);
      }
    }
  });

  it('rejects non-digits and the empty string', () => {
    expect(isVerhoeffValid('')).toBe(false);
    expect(isVerhoeffValid('23412341234a')).toBe(false);
    expect(() => verhoeffCheckDigit('12x')).toThrow();
  });
});

describe('Luhn', () => {
  it('accepts the digits of the reference EPIC number', () => {
    expect(isLuhnValid('1186253')).toBe(true);
    expect(isLuhnValid('1186254')).toBe(false);
  });

  it('computes check digits', () => {
    expect(luhnCheckDigit('118625')).toBe('3');
    expect(luhnCheckDigit('7992739871')).toBe('3'); // textbook example
    expect(isLuhnValid('79927398713')).toBe(true);
  });

  it('rejects non-digits', () => {
    expect(isLuhnValid('')).toBe(false);
    expect(isLuhnValid('11a6253')).toBe(false);
    expect(() => luhnCheckDigit('x')).toThrow();
  });
});
