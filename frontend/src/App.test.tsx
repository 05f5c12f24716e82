/** @jest-environment jsdom */
import { afterEach, describe, expect, it } from '@jest/globals';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import { App } from './App.js';
import { MemoryStore, aUser, fakeGateway, route, signedInTokens } from './testing/fake-api.js';

afterEach(cleanup);

const status = (mode: string) => route('GET', '/status', { status: 200, body: { mode, reducedFeatures: [], version: '1.2.3' } });

function signInAs(role: 'customer' | 'maker' | 'admin', ...handlers: Parameters<typeof fakeGateway>) {
  // The test's own routes first: they may answer what the defaults would.
  const gateway = fakeGateway(
    ...handlers,
    status('Normal'),
    route('POST', '/auth/login', signedInTokens()),
    route('GET', '/auth/me', { status: 200, body: aUser(`${role}-1`, role) }),
    route('GET', '/review/queue', { status: 200, body: { items: [] } }),
  );
  render(<App api={gateway.api} store={new MemoryStore()} />);
  fireEvent.change(screen.getByLabelText('Email address'), { target: { value: `${role}@example.com` } });
  fireEvent.change(screen.getByLabelText('Password'), { target: { value: 'correct horse battery' } });
  fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
  return gateway;
}

describe('the app', () => {
  it('shows everyone the platform’s version, and the banner while a reduced mode is in force', async () => {
    const { api } = fakeGateway(status('Maintenance'));
    render(<App api={api} store={new MemoryStore()} />);
    expect(await screen.findByText('Platform version 1.2.3')).toBeTruthy();
    expect(screen.getByRole('status').textContent).toMatch(/under maintenance/);
  });

  it('takes a signed-in customer without an application to the consent with the notice', async () => {
    signInAs('customer');
    expect(await screen.findByRole('heading', { name: 'Your consent' })).toBeTruthy();
    expect(screen.getByText(/Privacy notice, version/, { selector: 'h3' })).toBeTruthy();
  });

  it('takes a signed-in maker to the review queue of what waits for a maker', async () => {
    const { requests } = signInAs('maker');
    expect(await screen.findByRole('heading', { name: 'Review queue' })).toBeTruthy();
    expect(requests.find((r) => r.path === '/review/queue')?.query).toBe('limit=50&state=pending_review');
  });

  /** A maker signs in while /auth/me gives the answers of `answer` (the first call is 1); how many it was asked. */
  function makerWhose(answer: (call: number) => { status: number; body: unknown }): () => number {
    let asked = 0;
    signInAs(
      'maker',
      route('GET', '/auth/me', () => answer((asked += 1))),
    );
    return () => asked;
  }

  it('asks again who is signed in when the first answers fail without a refusal, and shows the maker the queue', async () => {
    const asked = makerWhose((call) =>
      call < 3 ? { status: 502, body: { title: 'Bad Gateway' } } : { status: 200, body: aUser('maker-1', 'maker') },
    );
    expect(await screen.findByRole('heading', { name: 'Review queue' }, { timeout: 4000 })).toBeTruthy();
    expect(asked()).toBe(3);
  });

  it('tells a refusal of who is signed in at once, without asking again', async () => {
    const asked = makerWhose(() => ({ status: 403, body: { title: 'Forbidden', detail: 'this account is disabled' } }));
    expect(await screen.findByRole('alert')).toBeTruthy();
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect(asked()).toBe(1);
    expect(screen.queryByRole('heading', { name: 'Review queue' })).toBeNull();
  });

  it('gives an admin the staff accounts, the analytics and the platform status; a maker none of them', async () => {
    const { requests } = signInAs(
      'admin',
      route('GET', '/admin/users', (request) => ({
        status: 200,
        body: { items: request.query.startsWith('role=admin') ? [aUser('admin-1', 'admin')] : [] },
      })),
    );
    const nav = await screen.findByRole('navigation', { name: 'Administration' });
    expect(screen.getByRole('button', { name: 'Review queue' }).getAttribute('aria-current')).toBe('page');
    fireEvent.click(screen.getByRole('button', { name: 'Staff accounts' }));
    expect(await screen.findByRole('heading', { name: 'Staff accounts' })).toBeTruthy();
    expect(requests.some((r) => r.path === '/admin/users')).toBe(true);
    fireEvent.click(screen.getByRole('button', { name: 'Platform status' }));
    expect(await screen.findByRole('heading', { name: 'Platform status' })).toBeTruthy();
    expect(nav.textContent).toBe('Review queueStaff accountsAnalyticsPlatform status');
    cleanup();
    signInAs('maker');
    expect(await screen.findByRole('heading', { name: 'Review queue' })).toBeTruthy();
    expect(screen.queryByRole('navigation', { name: 'Administration' })).toBeNull();
  });
});
