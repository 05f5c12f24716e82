/** @jest-environment jsdom */
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { fakeGateway, problem, route, signedInTokens } from '../testing/fake-api.js';
import { AuthForm } from './AuthForm.js';

afterEach(cleanup);

const type = (label: string, value: string) => fireEvent.change(screen.getByLabelText(label), { target: { value } });

describe('signing in and registering', () => {
  it('when the sign-in succeeds, then the access token is kept in memory and only the refresh token in the tab’s store', async () => {
    const { api, store, requests } = fakeGateway(
      route('POST', '/auth/login', signedInTokens()),
      route('GET', '/auth/me', { status: 200, body: {} }),
    );
    const onSignedIn = jest.fn();
    render(<AuthForm api={api} onSignedIn={onSignedIn} />);
    type('Email address', 'ravi@example.com');
    type('Password', 'correct horse battery');
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    await waitFor(() => expect(onSignedIn).toHaveBeenCalled());
    expect([...store.items]).toEqual([['kyc.refresh', 'refresh-1']]);
    expect(window.localStorage.length).toBe(0);
    await api.me();
    expect(requests.at(-1)?.headers.Authorization).toBe('Bearer access-1');
  });

  it('when the password is wrong, then the person is told in words, not a code', async () => {
    const { api } = fakeGateway(route('POST', '/auth/login', problem(401, 'invalid credentials')));
    render(<AuthForm api={api} onSignedIn={jest.fn()} />);
    type('Email address', 'ravi@example.com');
    type('Password', 'wrong password!');
    fireEvent.click(screen.getByRole('button', { name: 'Sign in' }));
    expect((await screen.findByRole('alert')).textContent).toBe('The email address or password is not right.');
  });

  it('when registering with a short password, then the field says the rule as it is typed and nothing is sent', () => {
    const { api, requests } = fakeGateway();
    render(<AuthForm api={api} onSignedIn={jest.fn()} />);
    fireEvent.click(screen.getByRole('button', { name: 'New here? Create an account' }));
    type('Email address', 'ravi@example.com');
    type('Password', 'short');
    expect(screen.getByText('The password must be at least 12 characters.')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Create account' }));
    expect(requests).toHaveLength(0);
  });

  it('when the registration is accepted, then the sign-in form shows with a notice', async () => {
    const { api, requests } = fakeGateway(route('POST', '/auth/register', { status: 202, body: { status: 'accepted' } }));
    render(<AuthForm api={api} onSignedIn={jest.fn()} />);
    fireEvent.click(screen.getByRole('button', { name: 'New here? Create an account' }));
    type('Email address', 'ravi@example.com');
    type('Password', 'correct horse battery');
    fireEvent.click(screen.getByRole('button', { name: 'Create account' }));
    expect((await screen.findByRole('status')).textContent).toMatch(/sign in/);
    expect(requests[0]?.body).toEqual({ email: 'ravi@example.com', password: 'correct horse battery' });
    expect(screen.getByRole('button', { name: 'Sign in' })).toBeTruthy();
  });
});
