/** @jest-environment jsdom */
import { afterEach, describe, expect, it } from '@jest/globals';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { fakeGateway, route } from '../testing/fake-api.js';
import { PlatformPanel } from './PlatformPanel.js';

afterEach(cleanup);

describe('the platform status', () => {
  it('shows the mode, what is reduced and the version, and reads them again on demand', async () => {
    let mode = 'ReadOnly';
    const { api, requests } = fakeGateway(
      route('GET', '/status', () => ({
        status: 200,
        body: { mode, reducedFeatures: mode === 'Normal' ? [] : ['writes', 'analytics'], version: '2.4.0' },
      })),
    );
    render(<PlatformPanel api={api} now={() => new Date('2026-12-05T19:20:00Z')} />);
    expect((await screen.findByText(/Read-only/)).textContent).toBe('Read-only: changes are refused');
    expect(screen.getByText('writes, analytics')).toBeTruthy();
    expect(screen.getByText('2.4.0')).toBeTruthy();
    expect(screen.getByText('Checked at 19:20:00.')).toBeTruthy();
    mode = 'Normal';
    fireEvent.click(screen.getByRole('button', { name: 'Refresh' }));
    expect(await screen.findByText('Nothing.')).toBeTruthy();
    expect(requests.filter((r) => r.path === '/status')).toHaveLength(2);
  });
});
