// The automatic checks that run after submission, in order (docs/kyc.md, "Automatic checks"): document
// formats, PAN, Aadhaar, screening, dedupe, risk score. A hard failure — an invalid identity number, a
// document that is not what it claims to be, a sanctions match at or above 0.95 — rejects the
// application; everything else goes to a maker with the findings attached. With screening switched off
// (the `sanctions-screening` flag, docs/api.md "Feature flags") nothing is decided automatically: the
// application goes to a maker, who must screen the applicant, whatever the other checks found.
import { identitySharedWithAnotherCustomer, type DuplicateMatch } from './duplicates.js';
import { type ContentType, type DocumentType, matchesFormat } from './documents.js';
import { validateAadhaar } from './identity/aadhaar.js';
import { validateCkycNumber, validateDrivingLicence, validatePassport, validateVoterId } from './identity/other-ids.js';
import { validatePan } from './identity/pan.js';
import type { Checked } from './identity/result.js';
import { surnameOf } from './applicant.js';
import { type RiskAssessment, ageInYears, assessRisk } from './risk.js';
import { type ScreeningResult, type WatchlistEntry, screenName } from './screening/screening.js';

export interface ApplicantForChecks {
  readonly name: string;
  readonly dateOfBirth: string;
  readonly pan: string;
  readonly aadhaar: string;
  readonly addressCountry: string;
  readonly passport?: string;
  readonly voterId?: string;
  readonly drivingLicence?: string;
  readonly ckycNumber?: string;
}

export interface DocumentForChecks {
  readonly id: string;
  readonly type: DocumentType;
  readonly contentType: ContentType;
  /** The first bytes of the decrypted content (at least 8). */
  readonly head: Buffer;
}

export type CheckName = 'document_formats' | 'pan' | 'aadhaar' | 'identity_documents' | 'sanctions_screening' | 'duplicates' | 'risk';

export interface CheckResult {
  readonly check: CheckName;
  /** failed: a hard failure; flagged: passed, but a reviewer must look at the finding. */
  readonly status: 'passed' | 'flagged' | 'failed';
  readonly detail: string;
}

export interface ChecksOutcome {
  readonly decision: 'reject' | 'review';
  readonly results: readonly CheckResult[];
  /** null: screening was switched off and did not run. */
  readonly screening: ScreeningResult | null;
  readonly risk: RiskAssessment;
  readonly duplicates: readonly DuplicateMatch[];
}

export function runAutomaticChecks(
  applicant: ApplicantForChecks,
  documents: readonly DocumentForChecks[],
  duplicates: readonly DuplicateMatch[],
  watchlist: readonly WatchlistEntry[],
  today: Date,
  options: { screening?: boolean } = {},
): ChecksOutcome {
  const results: CheckResult[] = [];

  const badDocuments = documents.filter((d) => !matchesFormat(d.head, d.contentType));
  results.push(
    badDocuments.length === 0
      ? { check: 'document_formats', status: 'passed', detail: `${documents.length} document(s) match their declared format` }
      : {
          check: 'document_formats',
          status: 'failed',
          detail: `document(s) ${badDocuments.map((d) => d.id).join(', ')} do not match their declared format`,
        },
  );

  results.push(
    fromChecked('pan', validatePan(applicant.pan, surnameOf(applicant.name)), 'PAN format, holder type and surname initial are valid'),
  );
  results.push(fromChecked('aadhaar', validateAadhaar(applicant.aadhaar), 'Aadhaar format and Verhoeff check digit are valid'));

  const otherIds: Array<[string, Checked<string>]> = [];
  if (applicant.passport !== undefined) otherIds.push(['passport', validatePassport(applicant.passport)]);
  if (applicant.voterId !== undefined) otherIds.push(['voter ID', validateVoterId(applicant.voterId)]);
  if (applicant.drivingLicence !== undefined) otherIds.push(['driving licence', validateDrivingLicence(applicant.drivingLicence, today)]);
  if (applicant.ckycNumber !== undefined) otherIds.push(['CKYC number', validateCkycNumber(applicant.ckycNumber)]);
  const invalidIds = otherIds.filter(([, c]) => !c.ok).map(([label]) => label);
  results.push(
    invalidIds.length === 0
      ? { check: 'identity_documents', status: 'passed', detail: `${otherIds.length} further identity number(s) valid` }
      : { check: 'identity_documents', status: 'failed', detail: `invalid: ${invalidIds.join(', ')}` },
  );

  const screeningOn = options.screening ?? true;
  const screening = screeningOn ? screenName(applicant.name, applicant.dateOfBirth, watchlist) : null;
  const best = screening?.hits[0];
  results.push(
    screening === null
      ? {
          check: 'sanctions_screening',
          status: 'flagged',
          detail: 'not run: sanctions screening is switched off; a reviewer must screen the applicant',
        }
      : screening.band === 'clear' || best === undefined
        ? { check: 'sanctions_screening', status: 'passed', detail: 'no list entry scored 0.70 or more' }
        : {
            check: 'sanctions_screening',
            status: screening.band === 'block' ? 'failed' : 'flagged',
            detail: `${screening.band}: best match ${best.entryId} (${best.source}) score ${best.score.toFixed(2)}`,
          },
  );

  const shared = identitySharedWithAnotherCustomer(duplicates);
  results.push(
    duplicates.length === 0
      ? { check: 'duplicates', status: 'passed', detail: 'no other live application uses this PAN or Aadhaar' }
      : {
          check: 'duplicates',
          status: 'flagged',
          detail: shared
            ? `PAN or Aadhaar also on another customer's application(s): ${duplicates
                .filter((d) => !d.sameCustomer)
                .map((d) => d.applicationId)
                .join(', ')}`
            : `the customer has other live application(s): ${duplicates.map((d) => d.applicationId).join(', ')}`,
        },
  );

  const risk = assessRisk({
    // Unscreened, the risk is scored on the rest; the referral tells the reviewer screening is owed.
    screeningBand: screening?.band ?? 'clear',
    politicallyExposed: screening?.hits.some((h) => h.kind === 'pep') ?? false,
    identitySharedWithAnotherCustomer: shared,
    addressCountry: applicant.addressCountry,
    ageYears: ageInYears(applicant.dateOfBirth, today),
  });
  results.push({
    check: 'risk',
    status: risk.category === 'high' ? 'flagged' : 'passed',
    detail: `${risk.category} (score ${risk.score}${risk.factors.length > 0 ? `: ${risk.factors.map((f) => f.factor).join(', ')}` : ''})`,
  });

  const decision = screening !== null && results.some((r) => r.status === 'failed') ? 'reject' : 'review';
  return { decision, results, screening, risk, duplicates };
}

function fromChecked(check: CheckName, checked: Checked<unknown>, passed: string): CheckResult {
  return checked.ok ? { check, status: 'passed', detail: passed } : { check, status: 'failed', detail: checked.reason };
}
