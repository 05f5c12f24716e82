// Risk category and periodic re-KYC (RBI: updation at least every 10 / 8 / 2 years for low / medium /
// high risk). The score is a sum of documented factors so that every category can be explained.
import type { ScreeningBand } from './screening/screening.js';

export type RiskCategory = 'low' | 'medium' | 'high';

export interface RiskInput {
  readonly screeningBand: ScreeningBand;
  readonly politicallyExposed: boolean;
  /** The PAN or Aadhaar is already used by another customer's live application. */
  readonly identitySharedWithAnotherCustomer: boolean;
  /** ISO 3166 alpha-2 country of the applicant's address. */
  readonly addressCountry: string;
  readonly ageYears: number;
}

export interface RiskFactor {
  readonly factor: string;
  readonly points: number;
}

export interface RiskAssessment {
  readonly score: number;
  readonly category: RiskCategory;
  readonly factors: readonly RiskFactor[];
}

export const RISK_POINTS = {
  screeningManualReview: 40,
  screeningEnhancedDueDiligence: 25,
  politicallyExposed: 60,
  identitySharedWithAnotherCustomer: 40,
  addressOutsideIndia: 30,
  youngAdult: 5,
} as const;

/** Medium from this score, high from the next. */
export const RISK_THRESHOLDS = { medium: 30, high: 60 } as const;

export const REKYC_YEARS: Readonly<Record<RiskCategory, number>> = { low: 10, medium: 8, high: 2 };

export function assessRisk(input: RiskInput): RiskAssessment {
  const factors: RiskFactor[] = [];
  if (input.screeningBand === 'manual_review' || input.screeningBand === 'block') {
    factors.push({ factor: 'screening_manual_review', points: RISK_POINTS.screeningManualReview });
  } else if (input.screeningBand === 'enhanced_due_diligence') {
    factors.push({ factor: 'screening_enhanced_due_diligence', points: RISK_POINTS.screeningEnhancedDueDiligence });
  }
  if (input.politicallyExposed) factors.push({ factor: 'politically_exposed', points: RISK_POINTS.politicallyExposed });
  if (input.identitySharedWithAnotherCustomer) {
    factors.push({ factor: 'identity_shared_with_another_customer', points: RISK_POINTS.identitySharedWithAnotherCustomer });
  }
  if (input.addressCountry.toUpperCase() !== 'IN') {
    factors.push({ factor: 'address_outside_india', points: RISK_POINTS.addressOutsideIndia });
  }
  if (input.ageYears < 21) factors.push({ factor: 'young_adult', points: RISK_POINTS.youngAdult });
  const score = factors.reduce((sum, f) => sum + f.points, 0);
  return { score, category: categoryFor(score), factors };
}

export function categoryFor(score: number): RiskCategory {
  if (score >= RISK_THRESHOLDS.high) return 'high';
  if (score >= RISK_THRESHOLDS.medium) return 'medium';
  return 'low';
}

/**
 * The date by which the customer's KYC must be updated: 10/8/2 years after `from` (approval or last
 * update). A 29 February start falls due on 28 February, never later than the rule allows.
 */
export function reKycDueDate(category: RiskCategory, from: Date): Date {
  const years = REKYC_YEARS[category];
  const due = new Date(Date.UTC(from.getUTCFullYear() + years, from.getUTCMonth(), 1));
  const lastDay = new Date(Date.UTC(due.getUTCFullYear(), due.getUTCMonth() + 1, 0)).getUTCDate();
  due.setUTCDate(Math.min(from.getUTCDate(), lastDay));
  return due;
}

/** Whole years between an ISO birth date and `today`. */
export function ageInYears(dateOfBirth: string, today: Date): number {
  const [y, m, d] = dateOfBirth.split('-').map(Number) as [number, number, number];
  let age = today.getUTCFullYear() - y;
  const beforeBirthday = today.getUTCMonth() + 1 < m || (today.getUTCMonth() + 1 === m && today.getUTCDate() < d);
  if (beforeBirthday) age--;
  return age;
}
