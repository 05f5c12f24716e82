/** @jest-environment jsdom */
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { fakeGateway, route, signedInTokens } from '../testing/fake-api.js';
import { ReviewQueue } from './ReviewQueue.js';

afterEach(cleanup);

describe('the review queue', () => {
  it('lists what waits for the caller’s role, filters by state and limit, and opens an application', async () => {
    const { api, requests } = fakeGateway(
      route('POST', '/auth/login', signedInTokens()),
      route('GET', '/review/queue', {
        status: 200,
        body: { items: [{ id: 'a1b2c3d4-0000', state: 'pending_review', updatedAt: '2026-12-05T10:00:00Z', riskCategory: 'low' }] },
      }),
    );
    await api.signIn('maker@bank.example', 'correct horse battery');
    const onOpen = jest.fn();
    render(<ReviewQueue api={api} defaultState="pending_review" onOpen={onOpen} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Open application a1b2c3d4-0000' }));
    expect(onOpen).toHaveBeenCalledWith('a1b2c3d4-0000');
    fireEvent.change(screen.getByLabelText('Show'), { target: { value: 'all' } });
    fireEvent.change(screen.getByLabelText('How many'), { target: { value: '20' } });
    await screen.findByText(/risk low/i);
    const queries = requests.filter((r) => r.path === '/review/queue').map((r) => r.query);
    expect(queries).toEqual(['limit=50&state=pending_review', 'limit=50', 'limit=20']);
  });
});
