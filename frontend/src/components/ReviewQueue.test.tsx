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

  it('pages past the first page with the API’s cursor and comes back', async () => {
    const page = (ids: string[], next?: string) => ({
      status: 200,
      body: { items: ids.map((id) => ({ id, state: 'pending_review', updatedAt: '2026-12-05T10:00:00Z' })), ...(next && { next }) },
    });
    const { api, requests } = fakeGateway(
      route('POST', '/auth/login', signedInTokens()),
      route('GET', '/review/queue', (request) =>
        new URLSearchParams(request.query).get('after') === 'first-0100'
          ? page(['second-0001'])
          : page(['first-0001', 'first-0100'], 'first-0100'),
      ),
    );
    await api.signIn('maker@bank.example', 'correct horse battery');
    render(<ReviewQueue api={api} defaultState="pending_review" onOpen={jest.fn()} />);
    await screen.findByRole('button', { name: 'Open application first-0100' });
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Previous page' }).disabled).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Next page' }));
    await screen.findByRole('button', { name: 'Open application second-0001' });
    expect(screen.getByText('Page 2')).toBeTruthy();
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Next page' }).disabled).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Previous page' }));
    await screen.findByRole('button', { name: 'Open application first-0001' });
    const queries = requests.filter((r) => r.path === '/review/queue').map((r) => r.query);
    expect(queries).toEqual([
      'limit=50&state=pending_review',
      'limit=50&state=pending_review&after=first-0100',
      'limit=50&state=pending_review',
    ]);
  });
});
