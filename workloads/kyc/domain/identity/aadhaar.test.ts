import { describe, expect, it } from '@jest/globals';
import { maskAadhaar, validateAadhaar } from './aadhaar.js';
import { verhoeffCheckDigit } from './checksums.js';

describe('Aadhaar', () => {
  it('accepts the reference number and rejects a wrong check digit', () => {
    expect(validateAadhaar('234123412346')).toEqual({
      ok: true,
      value: { kind: 'aadhaar', number: '234123412346', last4: '2346' },
    });
    expect(validateAadhaar('234123412347')).toEqual({ ok: false, reason: 'Aadhaar number check digit is wrong' });
  });

  it('accepts spaces and hyphens as typed on the card', () => {
    expect(validateAadhaar('2341 2341 2346')).toMatchObject({ ok: true, value: { number: '234123412346' } });
    expect(validateAadhaar('2341-2341-2346')).toMatchObject({ ok: true });
  });

  it.each(['0', '1'])('rejects numbers starting with %s even with a correct check digit', (first) => {
    const body = `${first}2341234123`.slice(0, 11);
    const number = body + verhoeffCheckDigit(body);
    expect(validateAadhaar(number)).toEqual({ ok: false, reason: 'Aadhaar number cannot start with 0 or 1' });
  });

  it.each(['2', '3', '4', '5', '6', '7', '8', '9'])('accepts a valid number starting with %s', (first) => {
    const body = `${first}9876543210`;
    expect(validateAadhaar(body + verhoeffCheckDigit(body)).ok).toBe(true);
  });

  it.each(['', '23412341234', '2341234123466', '23412341234a', 'abcdefghijkl', '2341 2341 234 6 7'])('rejects %j', (raw) => {
    expect(validateAadhaar(raw).ok).toBe(false);
  });

  it('accepts a 16-digit VID with a Verhoeff check digit and rejects a wrong one', () => {
    const body = '912345678901234';
    const vid = body + verhoeffCheckDigit(body);
    expect(validateAadhaar(vid)).toEqual({ ok: true, value: { kind: 'vid', number: vid, last4: vid.slice(-4) } });
    const wrong = body + String((Number(verhoeffCheckDigit(body)) + 1) % 10);
    expect(validateAadhaar(wrong)).toEqual({ ok: false, reason: 'Aadhaar VID check digit is wrong' });
  });

  it('masks all but the last 4 digits', () => {
    expect(maskAadhaar('2346')).toBe('XXXX XXXX 2346');
    expect(maskAadhaar('1234', 'vid')).toBe('XXXX XXXX XXXX 1234');
  });
});
