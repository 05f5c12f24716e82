import { describe, expect, it } from '@jest/globals';
import { funnel, rate } from './funnel.js';

describe('the funnel', () => {
  it('counts each step on its day: started from created, submitted from the first submissions, the decisions from their events', () => {
    const counts = [
      { day: '2026-12-01', type: 'kyc.application.created', count: 10 },
      // Resubmissions are in the event counts; the funnel takes the first submissions instead.
      { day: '2026-12-01', type: 'kyc.application.submitted', count: 9 },
      { day: '2026-12-02', type: 'kyc.application.approved', count: 5 },
      { day: '2026-12-02', type: 'kyc.application.rejected', count: 1 },
      { day: '2026-12-03', type: 'kyc.application.created', count: 2 },
      { day: '2026-12-03', type: 'kyc.document.uploaded', count: 30 },
    ];
    const first = [
      { day: '2026-12-01', count: 7 },
      { day: '2026-12-03', count: 1 },
    ];
    expect(funnel(counts, first)).toEqual({
      started: 12,
      submitted: 8,
      approved: 5,
      rejected: 1,
      approvalRate: 0.8333,
      byDay: [
        { day: '2026-12-01', started: 10, submitted: 7, approved: 0, rejected: 0 },
        { day: '2026-12-02', started: 0, submitted: 0, approved: 5, rejected: 1 },
        { day: '2026-12-03', started: 2, submitted: 1, approved: 0, rejected: 0 },
      ],
    });
  });

  it('has no approval rate without a decision, and no day without a step', () => {
    expect(funnel([{ day: '2026-12-01', type: 'kyc.document.uploaded', count: 3 }], [])).toEqual({
      started: 0,
      submitted: 0,
      approved: 0,
      rejected: 0,
      approvalRate: null,
      byDay: [],
    });
  });

  it('rates are fractions to 4 places, null out of nothing', () => {
    expect([rate(2, 3), rate(1, 4), rate(0, 5), rate(3, 0)]).toEqual([0.6667, 0.25, 0, null]);
  });
});
