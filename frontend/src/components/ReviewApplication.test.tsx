/** @jest-environment jsdom */
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import type { Application } from '../api/client.js';
import { aUser, anApplication, fakeGateway, route, signedInTokens } from '../testing/fake-api.js';
import { ReviewApplication, decisionsFor } from './ReviewApplication.js';

afterEach(cleanup);

const maker = aUser('maker-1', 'maker');
const checker = aUser('checker-1', 'checker');
const waitingForChecker = anApplication({
  state: 'pending_approval',
  review: { makerId: 'maker-1', recommendation: 'approve', checkerId: null },
  history: [],
});

async function staffGateway(application: Application, ...handlers: Parameters<typeof fakeGateway>) {
  const gateway = fakeGateway(
    route('POST', '/auth/login', signedInTokens()),
    route('GET', '/applications/app-1', { status: 200, body: application }),
    ...handlers,
  );
  await gateway.api.signIn('staff@bank.example', 'correct horse battery');
  return gateway;
}

describe('deciding on an application', () => {
  it('offers a maker the recommendations on pending_review and a checker the decisions on pending_approval', () => {
    expect(decisionsFor(maker, anApplication({ state: 'pending_review' })).decisions.map((d) => d.action)).toEqual([
      'recommend',
      'recommend',
      'request-resubmission',
    ]);
    expect(decisionsFor(checker, waitingForChecker).decisions.map((d) => d.action)).toEqual(['approve', 'reject', 'return']);
    expect(decisionsFor(maker, waitingForChecker).decisions).toEqual([]);
  });

  it('four eyes: a checker who recommended it is told so and offered nothing', async () => {
    const { api } = await staffGateway(waitingForChecker);
    render(<ReviewApplication api={api} user={aUser('maker-1', 'checker')} id="app-1" onBack={jest.fn()} />);
    expect(await screen.findByText('Recommended approve by maker-1.')).toBeTruthy();
    expect(screen.getByText(/another checker must decide/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Approve' })).toBeNull();
  });

  it('a decision needs a reason; with one, the checker’s approval is sent with it and the new state shown', async () => {
    const { api, requests } = await staffGateway(
      waitingForChecker,
      route('POST', '/review/app-1/approve', { status: 200, body: { ...waitingForChecker, state: 'approved' } }),
    );
    render(<ReviewApplication api={api} user={checker} id="app-1" onBack={jest.fn()} />);
    fireEvent.click(await screen.findByRole('button', { name: 'Approve' }));
    expect(screen.getByRole('alert').textContent).toBe('Give a reason: it is kept in the audit trail.');
    expect(requests.some((r) => r.path === '/review/app-1/approve')).toBe(false);
    fireEvent.change(screen.getByLabelText('Reason (required)'), { target: { value: 'documents match the record' } });
    fireEvent.click(screen.getByRole('button', { name: 'Approve' }));
    await waitFor(() => expect(screen.getByText('approved')).toBeTruthy());
    expect(requests.find((r) => r.path === '/review/app-1/approve')?.body).toEqual({ reason: 'documents match the record' });
  });
});
