import { describe, expect, it } from '@jest/globals';
import { type RiskInput, ageInYears, assessRisk, categoryFor, reKycDueDate } from './risk.js';

const ordinary: RiskInput = {
  screeningBand: 'clear',
  politicallyExposed: false,
  identitySharedWithAnotherCustomer: false,
  addressCountry: 'IN',
  ageYears: 34,
};

describe('risk assessment', () => {
  it('rates an ordinary resident applicant low with no factors', () => {
    expect(assessRisk(ordinary)).toEqual({ score: 0, category: 'low', factors: [] });
  });

  it('rates enhanced due diligence medium-free but scored, manual review medium', () => {
    expect(assessRisk({ ...ordinary, screeningBand: 'enhanced_due_diligence' })).toMatchObject({
      score: 25,
      category: 'low',
    });
    expect(assessRisk({ ...ordinary, screeningBand: 'manual_review' })).toMatchObject({ score: 40, category: 'medium' });
  });

  it('rates a politically exposed person high', () => {
    expect(assessRisk({ ...ordinary, politicallyExposed: true }).category).toBe('high');
  });

  it('adds up factors and explains them', () => {
    const assessment = assessRisk({
      ...ordinary,
      screeningBand: 'enhanced_due_diligence',
      identitySharedWithAnotherCustomer: true,
      addressCountry: 'ae',
      ageYears: 19,
    });
    expect(assessment.factors.map((f) => f.factor)).toEqual([
      'screening_enhanced_due_diligence',
      'identity_shared_with_another_customer',
      'address_outside_india',
      'young_adult',
    ]);
    expect(assessment).toMatchObject({ score: 100, category: 'high' });
  });

  it.each([
    [0, 'low'],
    [29, 'low'],
    [30, 'medium'],
    [59, 'medium'],
    [60, 'high'],
    [500, 'high'],
  ] as const)('score %d → %s', (score, category) => {
    expect(categoryFor(score)).toBe(category);
  });
});

describe('re-KYC due date', () => {
  const approvedOn = new Date('2026-11-26T10:00:00Z');
  it.each([
    ['low', '2036-11-26'],
    ['medium', '2034-11-26'],
    ['high', '2028-11-26'],
  ] as const)('%s risk → due %s', (category, due) => {
    expect(reKycDueDate(category, approvedOn).toISOString().slice(0, 10)).toBe(due);
  });

  it('never falls due later than the rule allows from 29 February', () => {
    expect(reKycDueDate('high', new Date('2024-02-29T00:00:00Z')).toISOString().slice(0, 10)).toBe('2026-02-28');
    expect(reKycDueDate('medium', new Date('2024-02-29T00:00:00Z')).toISOString().slice(0, 10)).toBe('2032-02-29');
  });
});

describe('age', () => {
  const today = new Date('2026-11-26T00:00:00Z');
  it.each([
    ['2008-11-26', 18],
    ['2008-11-27', 17],
    ['1990-01-01', 36],
    ['1990-12-31', 35],
  ])('born %s → %d', (dob, age) => {
    expect(ageInYears(dob, today)).toBe(age);
  });
});
