// Consent under India's DPDP Act 2023: what the applicant agreed to (purposes), under which notice
// (version), and when. KYC verification itself needs consent; the other purposes are optional.
import type { FieldError } from './applicant.js';

export const CONSENT_PURPOSES = ['kyc_verification', 'ckyc_registry_upload', 'aadhaar_offline_verification', 'marketing'] as const;
export type ConsentPurpose = (typeof CONSENT_PURPOSES)[number];

export interface ConsentGrant {
  readonly purposes: readonly ConsentPurpose[];
  readonly noticeVersion: string;
}

export type ConsentValidation = { ok: true; value: ConsentGrant } | { ok: false; errors: FieldError[] };

export function validateConsent(body: unknown): ConsentValidation {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, errors: [{ field: 'body', message: 'must be an object with a consent' }] };
  }
  const { consent, ...rest } = body as Record<string, unknown>;
  const unknownField = Object.keys(rest)[0];
  if (unknownField !== undefined) return { ok: false, errors: [{ field: unknownField, message: 'is not a known field' }] };
  if (typeof consent !== 'object' || consent === null || Array.isArray(consent)) {
    return { ok: false, errors: [{ field: 'consent', message: 'is required: { purposes, noticeVersion }' }] };
  }
  const { purposes, noticeVersion, ...extra } = consent as Record<string, unknown>;
  const errors: FieldError[] = [];
  const extraField = Object.keys(extra)[0];
  if (extraField !== undefined) errors.push({ field: `consent.${extraField}`, message: 'is not a known field' });
  if (
    !Array.isArray(purposes) ||
    purposes.length === 0 ||
    purposes.length > CONSENT_PURPOSES.length ||
    !purposes.every((p) => (CONSENT_PURPOSES as readonly unknown[]).includes(p))
  ) {
    errors.push({ field: 'consent.purposes', message: `must be a list of ${CONSENT_PURPOSES.join(', ')}` });
  } else if (!purposes.includes('kyc_verification')) {
    errors.push({ field: 'consent.purposes', message: 'must include kyc_verification' });
  }
  if (typeof noticeVersion !== 'string' || !/^[A-Za-z0-9._-]{1,50}$/.test(noticeVersion)) {
    errors.push({ field: 'consent.noticeVersion', message: 'must name the privacy notice version shown (1-50 of A-Z a-z 0-9 . _ -)' });
  }
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, value: { purposes: [...new Set(purposes as ConsentPurpose[])], noticeVersion: noticeVersion as string } };
}
