import { describe, expect, it } from '@jest/globals';
import { applicantPatch, applicantProblems, emptyApplicant, fileProblem, sentence } from './validation.js';
import type { ApplicantValues } from './validation.js';

const TODAY = new Date('2026-12-05T00:00:00Z');
const valid = (): ApplicantValues => ({
  ...emptyApplicant(),
  name: 'Ravi Verma',
  dateOfBirth: '1990-04-01',
  pan: 'ABCPV1234D',
  aadhaar: '2341 2341 2346',
  'address.line1': '12 MG Road',
  'address.city': 'Pune',
  'address.state': 'Maharashtra',
  'address.pincode': '411001',
});

describe('the applicant form checks the API’s own rules', () => {
  it('when every field is valid, then there is no problem', () => {
    expect(applicantProblems(valid(), TODAY, true)).toEqual({});
  });

  it.each([
    ['pan', 'ABCP1234D', /PAN/],
    ['pan', 'ABCCV1234D', /individual/],
    ['aadhaar', '234123412347', /Verhoeff|check digit/i],
    ['aadhaar', '123412341234', /Aadhaar/],
    ['address.pincode', '011001', /6-digit PIN code/],
    ['address.pincode', '4110', /6-digit PIN code/],
    ['dateOfBirth', '2010-01-01', /at least 18/],
    ['dateOfBirth', '2027-01-01', /future/],
    ['dateOfBirth', '1990-02-30', /real date/],
  ] as const)('when %s is %s, then that field has a problem', (field, value, message) => {
    const problems = applicantProblems({ ...valid(), [field]: value }, TODAY, false);
    expect(problems[field]).toMatch(message);
    expect(Object.keys(problems)).toEqual([field]);
  });

  it('when the PAN’s 5th letter is not the surname’s initial, then the PAN has the problem', () => {
    expect(applicantProblems({ ...valid(), name: 'Ravi Kumar' }, TODAY, false).pan).toMatch(/surname/);
  });

  it('while typing, a blank field says nothing; on submit it is required', () => {
    expect(applicantProblems(emptyApplicant(), TODAY, false)).toEqual({});
    const onSubmit = applicantProblems(emptyApplicant(), TODAY, true);
    expect(Object.keys(onSubmit).sort()).toEqual(
      ['address.city', 'address.line1', 'address.pincode', 'address.state', 'aadhaar', 'dateOfBirth', 'name', 'pan'].sort(),
    );
  });

  it('makes the PATCH body the API takes, the address as one object and a blank line 2 left out', () => {
    expect(applicantPatch(valid())).toEqual({
      name: 'Ravi Verma',
      dateOfBirth: '1990-04-01',
      pan: 'ABCPV1234D',
      aadhaar: '2341 2341 2346',
      address: { line1: '12 MG Road', city: 'Pune', state: 'Maharashtra', pincode: '411001' },
    });
  });

  it('turns the API’s message into a sentence about the field', () => {
    expect(sentence('address.pincode', 'must be a 6-digit PIN code not starting with 0')).toBe(
      'PIN code must be a 6-digit PIN code not starting with 0.',
    );
  });
});

describe('a document file is checked before upload', () => {
  it.each([
    [{ size: 1000, type: 'image/jpeg' }, undefined],
    [{ size: 1000, type: 'application/pdf' }, undefined],
    [{ size: 1000, type: 'image/gif' }, /PDF, JPEG or PNG/],
    [{ size: 2 * 1024 * 1024 + 1, type: 'image/png' }, /larger than 2 MB/],
    [{ size: 0, type: 'image/png' }, /Choose a file/],
  ])('%j', (file, expected) => {
    const problem = fileProblem(file);
    if (expected === undefined) expect(problem).toBeUndefined();
    else expect(problem).toMatch(expected);
  });
});
