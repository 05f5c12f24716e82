import { describe, expect, it } from '@jest/globals';
import { validateCkycNumber, validateDrivingLicence, validatePassport, validateVoterId } from './other-ids.js';

const today = new Date('2026-06-01T00:00:00Z');

describe('voter ID (EPIC)', () => {
  it('accepts the reference EPIC and normalises case and spaces', () => {
    expect(validateVoterId('WKH1186253')).toEqual({ ok: true, value: 'WKH1186253' });
    expect(validateVoterId('wkh 118 6253')).toEqual({ ok: true, value: 'WKH1186253' });
  });

  it('rejects a wrong Luhn check digit', () => {
    expect(validateVoterId('WKH1186254')).toEqual({ ok: false, reason: 'voter ID check digit is wrong' });
  });

  it.each(['', 'WK1186253', 'WKH118625', 'WKH11862533', '1KH1186253', 'WKHA186253'])('rejects %j', (raw) => {
    expect(validateVoterId(raw).ok).toBe(false);
  });
});

describe('passport', () => {
  it.each([['J8369854'], ['z1234567'], ['M 1234567']])('accepts %j', (raw) => {
    expect(validatePassport(raw).ok).toBe(true);
  });
  it.each(['', 'J836985', 'J83698544', '18369854', 'JJ369854'])('rejects %j', (raw) => {
    expect(validatePassport(raw).ok).toBe(false);
  });
});

describe('driving licence', () => {
  it('accepts state + RTO + year + serial with or without separators', () => {
    expect(validateDrivingLicence('MH14 20110062821', today)).toEqual({ ok: true, value: 'MH1420110062821' });
    expect(validateDrivingLicence('ka-01-2019-0001234', today)).toEqual({ ok: true, value: 'KA0120190001234' });
  });

  it.each([
    ['XX1420110062821', 'unknown state code'],
    ['MH0020110062821', 'RTO 00'],
    ['MH1418990062821', 'year before 1950'],
    ['MH1420270062821', 'year after today'],
    ['MH142011006282', 'short serial'],
    ['MH14201100628211', 'long serial'],
    ['M1420110062821', 'one-letter state'],
    ['', 'empty'],
  ])('rejects %s (%s)', (raw) => {
    expect(validateDrivingLicence(raw, today).ok).toBe(false);
  });
});

describe('CKYC identifier (KIN)', () => {
  it('accepts 14 digits', () => {
    expect(validateCkycNumber('1234 5678 9012 34')).toEqual({ ok: true, value: '12345678901234' });
  });
  it.each(['', '1234567890123', '123456789012345', '1234567890123a'])('rejects %j', (raw) => {
    expect(validateCkycNumber(raw).ok).toBe(false);
  });
});
