import { describe, expect, it } from '@jest/globals';
import { approvalRate, axisTop, countsByDay, daysBetween, durationUnit, funnelSteps, inUnit, percent } from './charts.js';

describe('the analytics charts’ arithmetic', () => {
  it('lists every day of the window, across a month end', () => {
    expect(daysBetween('2026-11-29', '2026-12-02')).toEqual(['2026-11-29', '2026-11-30', '2026-12-01', '2026-12-02']);
    expect(daysBetween('2026-12-02', '2026-12-01')).toEqual([]);
  });

  it('puts each count at its day and kind; a day without events is zeros; other types are left out', () => {
    const days = ['2026-12-01', '2026-12-02'];
    const kinds = ['kyc.application.submitted', 'kyc.application.approved'];
    const byDay = [
      { day: '2026-12-02', type: 'kyc.application.approved', count: 3 },
      { day: '2026-12-02', type: 'kyc.application.submitted', count: 5 },
      { day: '2026-12-02', type: 'auth.user.registered', count: 9 },
      { day: '2026-11-30', type: 'kyc.application.submitted', count: 7 },
    ];
    expect(countsByDay(byDay, days, kinds)).toEqual([
      [0, 0],
      [5, 3],
    ]);
  });

  it('rates approvals among decisions only, and has no rate without decisions', () => {
    expect(approvalRate({ 'kyc.application.approved': 3, 'kyc.application.rejected': 1, 'kyc.application.submitted': 10 })).toEqual({
      percent: 75,
      approved: 3,
      decided: 4,
    });
    expect(approvalRate({ 'kyc.application.submitted': 10 })).toBeUndefined();
  });

  it('rounds the axis up to 1, 2 or 5 times a power of ten', () => {
    expect([0, 1, 3, 7, 10, 11, 180, 501].map(axisTop)).toEqual([1, 1, 5, 10, 10, 20, 200, 1000]);
    expect(axisTop(0.06)).toBeCloseTo(0.1);
  });

  it('draws durations in minutes while the longest is under an hour, else in hours', () => {
    expect([durationUnit(3599), durationUnit(3600)]).toEqual(['minutes', 'hours']);
    expect([inUnit(90, 'minutes'), inUnit(5400, 'hours'), inUnit(108_000, 'hours')]).toEqual([1.5, 1.5, 30]);
  });

  it('gives each funnel step its share of the started, none without a start', () => {
    expect(funnelSteps({ started: 8, submitted: 6, approved: 3, rejected: 1 })).toEqual([
      { step: 'started', count: 8, ofStarted: 100 },
      { step: 'submitted', count: 6, ofStarted: 75 },
      { step: 'approved', count: 3, ofStarted: 38 },
      { step: 'rejected', count: 1, ofStarted: 13 },
    ]);
    expect(funnelSteps({ started: 0, submitted: 2, approved: 1, rejected: 0 }).map((s) => s.ofStarted)).toEqual([null, null, null, null]);
    expect([percent(0.925), percent(0.25), percent(0)]).toEqual([93, 25, 0]);
  });
});
