/** @jest-environment jsdom */
import { afterEach, describe, expect, it } from '@jest/globals';
import { cleanup, render, screen, within } from '@testing-library/react';
import type { AnalyticsSummary } from '../api/client.js';
import { fakeGateway, route, signedInTokens } from '../testing/fake-api.js';
import { AnalyticsCharts } from './AnalyticsCharts.js';
import { daysBetween } from './charts.js';
import { DecisionCharts } from './DecisionCharts.js';

afterEach(cleanup);

const SUMMARY: AnalyticsSummary = {
  from: '2026-12-03',
  to: '2026-12-05',
  totals: { 'kyc.application.created': 8, 'kyc.application.approved': 3, 'kyc.application.rejected': 1 },
  byDay: [],
  funnel: {
    started: 8,
    submitted: 6,
    approved: 3,
    rejected: 1,
    approvalRate: 0.75,
    byDay: [
      { day: '2026-12-03', started: 5, submitted: 4, approved: 0, rejected: 0 },
      { day: '2026-12-05', started: 3, submitted: 2, approved: 3, rejected: 1 },
    ],
  },
  decisions: {
    slaHours: 48,
    decisions: 4,
    p50Seconds: 5400,
    p90Seconds: 216_000,
    resubmissionRate: 0.25,
    slaBreaches: 1,
    slaBreachRate: 0.25,
    waitingPastSla: 2,
    byDay: [
      { day: '2026-12-04', decisions: 1, p50Seconds: 1800, p90Seconds: 1800, resubmitted: 0, slaBreaches: 0 },
      { day: '2026-12-05', decisions: 3, p50Seconds: 5400, p90Seconds: 216_000, resubmitted: 1, slaBreaches: 1 },
    ],
  },
};

function shown(summary: AnalyticsSummary) {
  render(<DecisionCharts summary={summary} days={daysBetween(summary.from, summary.to)} />);
}

/** The table under a chart's "The numbers", as text per row. */
function numbersAfter(chart: HTMLElement): string[][] {
  let next = chart.nextElementSibling;
  while (next && next.tagName !== 'DETAILS') next = next.nextElementSibling;
  return within(next as HTMLElement)
    .getAllByRole('row')
    .map((row) => [...row.children].map((cell) => cell.textContent ?? ''));
}

describe('the funnel and decisions charts', () => {
  it('draws the funnel’s steps with their share of the started, said in words, and the steps per day in a table', () => {
    shown(SUMMARY);
    const funnel = screen.getByRole('img', { name: /Funnel/ });
    expect(funnel.querySelector('desc')?.textContent).toBe(
      'From 2026-12-03 to 2026-12-05: Started 8 (100% of started), Submitted 6 (75% of started), Approved 3 (38% of started), Rejected 1 (13% of started).',
    );
    expect([...funnel.querySelectorAll('rect')].map((rect) => rect.getAttribute('width'))).toEqual(['216', '162', '81', '27']);
    expect(numbersAfter(funnel)).toEqual([
      ['Day', 'Started', 'Submitted', 'Approved', 'Rejected'],
      ['2026-12-03', '5', '4', '0', '0'],
      ['2026-12-05', '3', '2', '3', '1'],
    ]);
  });

  it('draws p50 and p90 side by side per day with a decision, in hours when a day’s p90 passes an hour', () => {
    shown(SUMMARY);
    const percentiles = screen.getByRole('img', { name: /Time to decision: p50 and p90/ });
    expect(percentiles.querySelector('desc')?.textContent).toBe(
      'Half of the decisions came within 1.5 hours of the first submission, nine in ten within 60 hours (4 decisions).',
    );
    expect([...percentiles.querySelectorAll('rect title')].map((title) => title.textContent)).toEqual([
      '2026-12-04: p50 (median) 0.5 hours',
      '2026-12-04: p90 0.5 hours',
      '2026-12-05: p50 (median) 1.5 hours',
      '2026-12-05: p90 60 hours',
    ]);
    expect(percentiles.textContent).toContain('100 h');
    expect(numbersAfter(percentiles)[2]).toEqual(['2026-12-05', '3', '1.5 hours', '60 hours']);
  });

  it('shows the resubmission rate and the SLA breaches per day, late stacked on top, and the applications waiting past the SLA', () => {
    shown(SUMMARY);
    expect(screen.getByRole('img', { name: /Resubmission rate/ }).querySelector('desc')?.textContent).toBe(
      '25% of the decisions came after a resubmission request (1 of 4).',
    );
    const sla = screen.getByRole('img', { name: /SLA breaches/ });
    expect(sla.querySelector('desc')?.textContent).toBe('1 of 4 decisions came later than 48 hours after the first submission.');
    // The 4th: one within; the 5th: two within and one late.
    expect([...sla.querySelectorAll('rect')].map((rect) => rect.getAttribute('fill'))).toEqual(['#1b7a3d', '#1b7a3d', '#b00020']);
    expect([...sla.querySelectorAll('g > title')].map((title) => title.textContent)).toEqual([
      '2026-12-04: 0 of 1 late',
      '2026-12-05: 1 of 3 late',
    ]);
    expect(numbersAfter(sla)).toEqual([
      ['Day', 'Decisions', 'Later than the SLA'],
      ['2026-12-04', '1', '0'],
      ['2026-12-05', '3', '1'],
    ]);
    expect(screen.getByText('Waiting longer than 48 hours now: 2 applications.')).toBeTruthy();
  });

  it('without a decision or a step, says so in words and still counts the applications waiting past the SLA', () => {
    shown({
      ...SUMMARY,
      funnel: { started: 0, submitted: 0, approved: 0, rejected: 0, approvalRate: null, byDay: [] },
      decisions: {
        slaHours: 24,
        decisions: 0,
        p50Seconds: null,
        p90Seconds: null,
        resubmissionRate: null,
        slaBreaches: 0,
        slaBreachRate: null,
        waitingPastSla: 1,
        byDay: [],
      },
    });
    expect(screen.queryAllByRole('img')).toEqual([]);
    expect(screen.getByText('No application was started, submitted or decided in this period.')).toBeTruthy();
    expect(screen.getAllByText('No decisions in this period.')).toHaveLength(3);
    expect(screen.getByText('Waiting longer than 24 hours now: 1 application.')).toBeTruthy();
  });

  it('on the analytics page, drawn from the summary; an analytics service without the report draws none of it', async () => {
    const gateway = fakeGateway(
      route('POST', '/auth/login', signedInTokens()),
      route('GET', '/analytics/summary', { status: 200, body: SUMMARY }),
    );
    await gateway.api.signIn('admin@bank.example', 'correct horse battery');
    render(<AnalyticsCharts api={gateway.api} />);
    expect(await screen.findByRole('img', { name: /Funnel/ })).toBeTruthy();
    cleanup();
    const { funnel: _funnel, decisions: _decisions, ...older } = SUMMARY;
    shown(older);
    expect(screen.queryByRole('heading', { name: 'Funnel' })).toBeNull();
    expect(screen.queryByRole('heading', { name: 'SLA breaches' })).toBeNull();
  });
});
