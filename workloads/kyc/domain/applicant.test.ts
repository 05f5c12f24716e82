import { describe, expect, it } from '@jest/globals';
import { surnameOf, validateApplicantPatch } from './applicant.js';

const today = new Date('2026-11-26T00:00:00Z');
const complete = {
  name: 'Kavya Raghunathan',
  dateOfBirth: '1990-05-17',
  pan: 'abcpr1234f',
  aadhaar: '2341 2341 2346',
  address: { line1: '12 MG Road', city: 'Bengaluru', state: 'Karnataka', pincode: '560001' },
  passport: 'J8369854',
  voterId: 'WKH1186253',
  drivingLicence: 'KA01 20190001234',
  ckycNumber: '12345678901234',
};

const fieldsOf = (body: unknown, stored = {}) => {
  const result = validateApplicantPatch(body, stored, today);
  return result.ok ? [] : result.errors.map((e) => e.field);
};

describe('applicant patch validation', () => {
  it('accepts complete, valid data and normalises it', () => {
    const result = validateApplicantPatch(complete, {}, today);
    expect(result).toEqual({
      ok: true,
      value: {
        name: 'Kavya Raghunathan',
        dateOfBirth: '1990-05-17',
        pan: { number: 'ABCPR1234F', holderType: 'individual' },
        aadhaar: { kind: 'aadhaar', number: '234123412346', last4: '2346' },
        address: { line1: '12 MG Road', city: 'Bengaluru', state: 'Karnataka', pincode: '560001', country: 'IN' },
        passport: 'J8369854',
        voterId: 'WKH1186253',
        drivingLicence: 'KA0120190001234',
        ckycNumber: '12345678901234',
      },
    });
  });

  it('accepts a partial update', () => {
    expect(validateApplicantPatch({ address: complete.address }, {}, today).ok).toBe(true);
  });

  it.each([
    [{ pan: 'ABCPR0000F' }, 'pan'],
    [{ pan: 'ABCR1234F' }, 'pan'],
    [{ pan: 'AAACR5055K' }, 'pan'], // a company's PAN on an individual's application
    [{ aadhaar: '234123412347' }, 'aadhaar'],
    [{ aadhaar: '134123412346' }, 'aadhaar'],
    [{ voterId: 'WKH1186254' }, 'voterId'],
    [{ passport: 'J836985' }, 'passport'],
    [{ drivingLicence: 'ZZ0120190001234' }, 'drivingLicence'],
    [{ ckycNumber: '1234' }, 'ckycNumber'],
    [{ dateOfBirth: '1990-02-30' }, 'dateOfBirth'],
    [{ dateOfBirth: '17/05/1990' }, 'dateOfBirth'],
    [{ dateOfBirth: '2027-01-01' }, 'dateOfBirth'],
    [{ dateOfBirth: '2010-01-01' }, 'dateOfBirth'],
    [{ dateOfBirth: '1880-01-01' }, 'dateOfBirth'],
    [{ name: '' }, 'name'],
    [{ name: '12345' }, 'name'],
    [{ name: 'Robert <script>' }, 'name'],
    [{ name: 'x'.repeat(201) }, 'name'],
    [{ address: { ...complete.address, pincode: '060001' } }, 'address.pincode'],
    [{ address: { ...complete.address, city: '' } }, 'address.city'],
    [{ address: { ...complete.address, country: 'IND' } }, 'address.country'],
    [{ address: { ...complete.address, extra: 1 } }, 'address.extra'],
    [{ address: 'Bengaluru' }, 'address'],
    [{ pan: 1234 }, 'pan'],
    [{ aadhaar: null }, 'aadhaar'],
    [{ nickname: 'K' }, 'nickname'],
    [{}, 'body'],
    [null, 'body'],
    [[complete], 'body'],
    ['name=Kavya', 'body'],
  ])('rejects %j naming %s', (body, field) => {
    expect(fieldsOf(body)).toContain(field);
  });

  it('reports every bad field at once', () => {
    expect(fieldsOf({ pan: 'x', aadhaar: 'y', voterId: 'z' }).sort()).toEqual(['aadhaar', 'pan', 'voterId']);
  });

  it("checks the PAN's surname letter against the name in the patch or already stored", () => {
    expect(fieldsOf({ name: 'Kavya Sharma', pan: 'ABCPR1234F' })).toEqual(['pan']);
    expect(fieldsOf({ pan: 'ABCPR1234F' }, { name: 'Kavya Sharma' })).toEqual(['pan']);
    expect(fieldsOf({ name: 'Kavya Sharma' }, { pan: 'ABCPR1234F' })).toEqual(['name']);
    expect(fieldsOf({ name: 'Kavya Raghunathan' }, { pan: 'ABCPR1234F' })).toEqual([]);
    expect(fieldsOf({ name: 'Madhavan', pan: 'ABCPM1234F' })).toEqual([]);
  });

  it('never echoes the submitted identity numbers in messages', () => {
    const result = validateApplicantPatch({ aadhaar: '234123412347', pan: 'ABCPR0000F' }, {}, today);
    expect(JSON.stringify(result)).not.toContain('234123412347');
    expect(JSON.stringify(result)).not.toContain('ABCPR0000F');
  });
});

describe('surnameOf', () => {
  it('takes the last name element', () => {
    expect(surnameOf('  Kavya  Raghunathan ')).toBe('Raghunathan');
    expect(surnameOf('Madhavan')).toBe('Madhavan');
  });
});
