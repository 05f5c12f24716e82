import { describe, expect, it } from '@jest/globals';
import { decisions, slaDeadline, slaSeconds } from './decisions.js';

describe('the decisions report', () => {
  it('takes the window’s percentiles from its own figures (not from the days’), and rates resubmissions and breaches among the decisions', () => {
    const figures = [
      { day: '2026-12-01', decisions: 3, p50Seconds: 3600, p90Seconds: 7200.4, resubmitted: 1, slaBreaches: 0 },
      { day: '2026-12-02', decisions: 1, p50Seconds: 200_000, p90Seconds: 200_000, resubmitted: 1, slaBreaches: 1 },
      { decisions: 4, p50Seconds: 3600, p90Seconds: 200_000, resubmitted: 2, slaBreaches: 1 },
    ];
    expect(decisions(figures, 48, 2)).toEqual({
      slaHours: 48,
      decisions: 4,
      p50Seconds: 3600,
      p90Seconds: 200_000,
      resubmissionRate: 0.5,
      slaBreaches: 1,
      slaBreachRate: 0.25,
      waitingPastSla: 2,
      byDay: [
        { day: '2026-12-01', decisions: 3, p50Seconds: 3600, p90Seconds: 7200, resubmitted: 1, slaBreaches: 0 },
        { day: '2026-12-02', decisions: 1, p50Seconds: 200_000, p90Seconds: 200_000, resubmitted: 1, slaBreaches: 1 },
      ],
    });
  });

  it('without a decision: no percentile, no rate, but the applications waiting past the SLA still count', () => {
    expect(decisions([], 24, 3)).toEqual({
      slaHours: 24,
      decisions: 0,
      p50Seconds: null,
      p90Seconds: null,
      resubmissionRate: null,
      slaBreaches: 0,
      slaBreachRate: null,
      waitingPastSla: 3,
      byDay: [],
    });
  });

  it('the SLA is counted in hours from the first submission', () => {
    expect(slaSeconds(48)).toBe(172_800);
    expect(slaDeadline(new Date('2026-12-06T02:00:00Z'), 48).toISOString()).toBe('2026-12-04T02:00:00.000Z');
  });
});
