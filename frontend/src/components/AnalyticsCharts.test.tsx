/** @jest-environment jsdom */
import { afterEach, describe, expect, it } from '@jest/globals';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { fakeGateway, problem, route, signedInTokens } from '../testing/fake-api.js';
import { AnalyticsCharts } from './AnalyticsCharts.js';

afterEach(cleanup);

const SUMMARY = {
  from: '2026-12-03',
  to: '2026-12-05',
  totals: { 'kyc.application.submitted': 6, 'kyc.application.approved': 3, 'kyc.application.rejected': 1 },
  byDay: [
    { day: '2026-12-03', type: 'kyc.application.submitted', count: 4 },
    { day: '2026-12-05', type: 'kyc.application.submitted', count: 2 },
    { day: '2026-12-05', type: 'kyc.application.approved', count: 3 },
    { day: '2026-12-05', type: 'kyc.application.rejected', count: 1 },
  ],
  turnaround: { decisions: 4, averageSeconds: 5400, byDay: [{ day: '2026-12-05', decisions: 4, averageSeconds: 5400 }] },
};

async function shown(...handlers: Parameters<typeof fakeGateway>) {
  const gateway = fakeGateway(route('POST', '/auth/login', signedInTokens()), ...handlers);
  await gateway.api.signIn('admin@bank.example', 'correct horse battery');
  render(<AnalyticsCharts api={gateway.api} />);
  return gateway;
}

describe('the analytics charts', () => {
  it('draws the applications per day stacked by kind, with the numbers in a table, and the approval rate', async () => {
    const { requests } = await shown(route('GET', '/analytics/summary', { status: 200, body: SUMMARY }));
    const perDay = await screen.findByRole('img', { name: /Applications per day by what happened/ });
    // One bar segment per non-zero count: 4 on the 3rd, 2 + 3 + 1 on the 5th; the 4th is empty.
    expect(perDay.querySelectorAll('rect')).toHaveLength(4);
    expect([...perDay.querySelectorAll('rect title')].map((title) => title.textContent)).toContain('2026-12-05: Approved 3');
    const rows = screen.getAllByRole('row').map((row) => row.textContent);
    expect(rows).toHaveLength(3);
    expect(screen.getByRole('rowheader', { name: '2026-12-05' })).toBeTruthy();
    expect(screen.getByRole('img', { name: /Approval rate/ }).textContent).toBe('75% approved (3 of 4 decisions).');
    const turnaround = screen.getByRole('img', { name: /Turnaround/ });
    expect(turnaround.querySelector('desc')?.textContent).toBe('On average 1.5 hours from submission to decision (4 decisions).');
    expect(turnaround.querySelectorAll('rect')).toHaveLength(1);
    expect(turnaround.textContent).toContain('2 h');
    fireEvent.change(screen.getByLabelText('Period'), { target: { value: '7' } });
    await screen.findByRole('img', { name: /Approval rate/ });
    expect(requests.filter((r) => r.path === '/analytics/summary').map((r) => r.query)).toEqual(['days=30', 'days=7']);
  });

  it('says when nothing happened, and shows a refusal in words', async () => {
    await shown(
      route('GET', '/analytics/summary', {
        status: 200,
        body: { ...SUMMARY, totals: {}, byDay: [], turnaround: { decisions: 0, averageSeconds: null, byDay: [] } },
      }),
    );
    expect(await screen.findByText('Nothing happened in this period.')).toBeTruthy();
    expect(screen.getAllByText('No decisions in this period.')).toHaveLength(2);
    cleanup();
    await shown(route('GET', '/analytics/summary', problem(403, 'requires one of the roles: admin')));
    expect((await screen.findByRole('alert')).textContent).toBe('You are not allowed to do this.');
  });
});
