import { describe, expect, it } from '@jest/globals';
import { validateConsent } from './consent.js';

describe('consent', () => {
  it('accepts KYC consent with a notice version and removes repeated purposes', () => {
    expect(
      validateConsent({ consent: { purposes: ['kyc_verification', 'marketing', 'marketing'], noticeVersion: 'privacy-2026.1' } }),
    ).toEqual({
      ok: true,
      value: { purposes: ['kyc_verification', 'marketing'], noticeVersion: 'privacy-2026.1' },
    });
  });

  it.each([
    [null, 'body'],
    [{}, 'consent'],
    [{ consent: 'yes' }, 'consent'],
    [{ consent: { purposes: ['marketing'], noticeVersion: 'v1' } }, 'consent.purposes'],
    [{ consent: { purposes: [], noticeVersion: 'v1' } }, 'consent.purposes'],
    [{ consent: { purposes: ['spam'], noticeVersion: 'v1' } }, 'consent.purposes'],
    [{ consent: { purposes: ['kyc_verification'] } }, 'consent.noticeVersion'],
    [{ consent: { purposes: ['kyc_verification'], noticeVersion: 'v 1' } }, 'consent.noticeVersion'],
    [{ consent: { purposes: ['kyc_verification'], noticeVersion: 'v1', at: 'now' } }, 'consent.at'],
    [{ consent: { purposes: ['kyc_verification'], noticeVersion: 'v1' }, owner: 'x' }, 'owner'],
  ])('rejects %j naming %s', (body, field) => {
    const result = validateConsent(body);
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.errors.map((e) => e.field)).toContain(field);
  });
});
