import { describe, expect, it } from '@jest/globals';
import { firstDay, summarise, turnaround } from './summary.js';

describe('summary', () => {
  it('the window of 7 days ends today (UTC)', () => {
    expect(firstDay(new Date('2026-03-10T23:30:00Z'), 7)).toBe('2026-03-04');
    expect(firstDay(new Date('2026-03-01T00:10:00Z'), 1)).toBe('2026-03-01');
  });

  it('adds the days up per type', () => {
    const byDay = [
      { day: '2026-03-04', type: 'kyc.application.approved', count: 2 },
      { day: '2026-03-05', type: 'kyc.application.approved', count: 3 },
      { day: '2026-03-05', type: 'kyc.application.rejected', count: 1 },
    ];
    expect(summarise(byDay, '2026-03-04', new Date('2026-03-10T12:00:00Z'))).toEqual({
      from: '2026-03-04',
      to: '2026-03-10',
      totals: { 'kyc.application.approved': 5, 'kyc.application.rejected': 1 },
      byDay,
    });
  });

  it('averages the turnaround over the decisions, per day and over the window; none without a decision', () => {
    const decisions = [
      { day: '2026-03-04', decisions: 2, totalSeconds: 7200 },
      { day: '2026-03-05', decisions: 1, totalSeconds: 600 },
    ];
    expect(summarise([], '2026-03-04', new Date('2026-03-10T12:00:00Z'), decisions).turnaround).toEqual({
      decisions: 3,
      averageSeconds: 2600,
      byDay: [
        { day: '2026-03-04', decisions: 2, averageSeconds: 3600 },
        { day: '2026-03-05', decisions: 1, averageSeconds: 600 },
      ],
    });
    expect(turnaround([])).toEqual({ decisions: 0, averageSeconds: null, byDay: [] });
  });

  it('with the report’s inputs, adds the funnel and the decisions report', () => {
    const counts = [
      { day: '2026-03-05', type: 'kyc.application.created', count: 2 },
      { day: '2026-03-05', type: 'kyc.application.approved', count: 1 },
    ];
    const summary = summarise(counts, '2026-03-04', new Date('2026-03-10T12:00:00Z'), [], {
      firstSubmissions: [{ day: '2026-03-05', count: 2 }],
      decisionFigures: [
        { day: '2026-03-05', decisions: 1, p50Seconds: 60, p90Seconds: 60, resubmitted: 0, slaBreaches: 0 },
        { decisions: 1, p50Seconds: 60, p90Seconds: 60, resubmitted: 0, slaBreaches: 0 },
      ],
      slaHours: 48,
      waitingPastSla: 1,
    });
    expect(summary.funnel).toMatchObject({ started: 2, submitted: 2, approved: 1, rejected: 0, approvalRate: 1 });
    expect(summary.decisions).toMatchObject({ decisions: 1, p50Seconds: 60, p90Seconds: 60, resubmissionRate: 0, waitingPastSla: 1 });
    expect(summarise(counts, '2026-03-04', new Date('2026-03-10T12:00:00Z'))).not.toHaveProperty('funnel');
  });
});
