/** @jest-environment jsdom */
import { afterEach, describe, expect, it } from '@jest/globals';
import { cleanup, fireEvent, render, screen } from '@testing-library/react';
import type { User } from '../api/client.js';
import { aUser, fakeGateway, problem, route, signedInTokens } from '../testing/fake-api.js';
import { StaffAccounts } from './StaffAccounts.js';

afterEach(cleanup);

const admin = aUser('admin-1', 'admin');

/** GET /admin/users as the API answers it: the users of the role asked for. */
const listing = (query: string, ...users: User[]) => ({
  status: 200,
  body: { items: users.filter((user) => user.role === new URLSearchParams(query).get('role')) },
});

async function shown(...handlers: Parameters<typeof fakeGateway>) {
  const gateway = fakeGateway(route('POST', '/auth/login', signedInTokens()), ...handlers);
  await gateway.api.signIn('admin@bank.example', 'correct horse battery');
  render(<StaffAccounts api={gateway.api} self={admin} />);
  return gateway;
}

function fill(email: string, role: string, staffId: string) {
  fireEvent.change(screen.getByLabelText('Email address'), { target: { value: email } });
  fireEvent.change(screen.getByLabelText('First password'), { target: { value: 'a-long-first-password' } });
  fireEvent.change(screen.getByLabelText('Role'), { target: { value: role } });
  fireEvent.change(screen.getByLabelText('Staff id'), { target: { value: staffId } });
  fireEvent.click(screen.getByRole('button', { name: 'Create account' }));
}

describe('the staff accounts', () => {
  it('lists the accounts, disables another one, and never offers to disable one’s own', async () => {
    let disabled = false;
    const maker = () => ({ ...aUser('maker-1', 'maker'), staffId: 'EMP-1', ...(disabled && { disabled: true as const }) });
    const { requests } = await shown(
      route('GET', '/admin/users', (request) => listing(request.query, admin, maker())),
      route('POST', '/admin/users/maker-1/disable', () => ((disabled = true), { status: 200, body: maker() })),
    );
    fireEvent.click(await screen.findByRole('button', { name: 'Disable maker-1@bank.example' }));
    expect((await screen.findByRole('status')).textContent).toBe('maker-1@bank.example is disabled: their sign-ins have ended.');
    await screen.findByRole('button', { name: 'Enable maker-1@bank.example' });
    expect(screen.queryByRole('button', { name: /admin-1@bank.example/ })).toBeNull();
    expect(screen.getByText(/\(you\)/)).toBeTruthy();
    expect(requests.filter((r) => r.method === 'POST' && r.path.startsWith('/admin')).map((r) => r.path)).toEqual([
      '/admin/users/maker-1/disable',
    ]);
    // Staff only, one role at a time: customers are never asked for.
    expect(new Set(requests.filter((r) => r.method === 'GET').map((r) => r.query))).toEqual(
      new Set(['role=maker&limit=200', 'role=checker&limit=200', 'role=admin&limit=200']),
    );
  });

  it('creates a maker with a staff id, and asks for one before sending', async () => {
    const { requests } = await shown(
      route('GET', '/admin/users', (request) => listing(request.query, admin)),
      route('POST', '/admin/users', (request) => ({ status: 201, body: { id: 'new-1', ...(request.body as object) } })),
    );
    fill('new.maker@bank.example', 'checker', '');
    expect((await screen.findByRole('alert')).textContent).toBe('A maker or checker account needs the person’s staff id.');
    expect(requests.some((r) => r.method === 'POST' && r.path === '/admin/users')).toBe(false);
    fill('new.maker@bank.example', 'checker', 'EMP-7');
    expect((await screen.findByRole('status')).textContent).toBe('Account new.maker@bank.example created.');
    expect(requests.find((r) => r.method === 'POST' && r.path === '/admin/users')?.body).toEqual({
      email: 'new.maker@bank.example',
      password: 'a-long-first-password',
      role: 'checker',
      staffId: 'EMP-7',
    });
  });

  it('says in words why the API refused: the staff id already has a review role', async () => {
    await shown(
      route('GET', '/admin/users', (request) => listing(request.query, admin)),
      route('POST', '/admin/users', problem(409, 'staff id EMP-1 already has an active maker or checker account', { field: 'staffId' })),
    );
    fill('second@bank.example', 'maker', 'EMP-1');
    const alerts = await screen.findAllByRole('alert');
    expect(alerts.map((a) => a.textContent)).toContain(
      'This staff id already has a maker or checker account: one person cannot be both maker and checker.',
    );
  });
});

describe('a role change', () => {
  it('gives another account a new role, says its sign-ins ended, and shows the new role in its row', async () => {
    let role: User['role'] = 'maker';
    const maker = () => ({ ...aUser('maker-1', role), staffId: 'EMP-1' });
    const { requests } = await shown(
      route('GET', '/admin/users', (request) => listing(request.query, admin, maker())),
      route(
        'POST',
        '/admin/users/maker-1/role',
        (request) => ((role = (request.body as { role: User['role'] }).role), { status: 200, body: maker() }),
      ),
    );
    expect(screen.queryByRole('button', { name: /Change the role of admin-1/ })).toBeNull();
    fireEvent.click(await screen.findByRole('button', { name: 'Change the role of maker-1@bank.example' }));
    const select = screen.getByLabelText('New role for maker-1@bank.example');
    expect(document.activeElement).toBe(select);
    fireEvent.change(select, { target: { value: 'checker' } });
    // The account has a staff id already: none is asked for.
    expect(screen.queryByLabelText('Staff id of maker-1@bank.example')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Save the role' }));
    expect((await screen.findByRole('status')).textContent).toBe('maker-1@bank.example is now checker: their sign-ins have ended.');
    expect(screen.getByText('maker-1@bank.example').parentElement?.textContent).toContain('Checker');
    expect(screen.queryByLabelText('New role for maker-1@bank.example')).toBeNull();
    expect(requests.filter((r) => r.method === 'POST' && r.path.startsWith('/admin')).map((r) => [r.path, r.body])).toEqual([
      ['/admin/users/maker-1/role', { role: 'checker' }],
    ]);
  });

  it('asks for the staff id a maker needs before sending, and says the last admin’s refusal in words', async () => {
    const other = aUser('admin-2', 'admin');
    const { requests } = await shown(
      route('GET', '/admin/users', (request) => listing(request.query, admin, other)),
      route(
        'POST',
        '/admin/users/admin-2/role',
        problem(409, 'this is the last active admin account: make another account an admin first', {
          type: 'https://kyc.dev/problems/last-admin',
          field: 'id',
        }),
      ),
    );
    fireEvent.click(await screen.findByRole('button', { name: 'Change the role of admin-2@bank.example' }));
    fireEvent.change(screen.getByLabelText('New role for admin-2@bank.example'), { target: { value: 'maker' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save the role' }));
    expect((await screen.findByRole('alert')).textContent).toBe('A maker or checker account needs the person’s staff id.');
    expect(requests.some((r) => r.method === 'POST' && r.path.startsWith('/admin'))).toBe(false);
    fireEvent.change(screen.getByLabelText('Staff id of admin-2@bank.example'), { target: { value: 'EMP-9' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save the role' }));
    expect((await screen.findByRole('alert')).textContent).toBe(
      'This is the last active admin account: make another account an admin first.',
    );
    expect(requests.find((r) => r.method === 'POST' && r.path.startsWith('/admin'))?.body).toEqual({ role: 'maker', staffId: 'EMP-9' });
    // Cancel closes the form and leaves the account as it was.
    fireEvent.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(screen.queryByLabelText('New role for admin-2@bank.example')).toBeNull();
    expect(screen.getByText('admin-2@bank.example').parentElement?.textContent).toContain('Admin');
  });
});

describe('more accounts than a page', () => {
  it('shows more of a role from the cursor the API gave, once, and offers no more after the last page', async () => {
    const makers = Array.from({ length: 3 }, (_, i) => ({ ...aUser(`maker-${i}`, 'maker'), staffId: `EMP-${i}` }));
    const { requests } = await shown(
      route('GET', '/admin/users', (request) => {
        const query = new URLSearchParams(request.query);
        if (query.get('role') !== 'maker') return listing(request.query, admin);
        return query.get('after') === 'maker-1'
          ? { status: 200, body: { items: makers.slice(2) } }
          : { status: 200, body: { items: makers.slice(0, 2), next: 'maker-1' } };
      }),
    );
    await screen.findByText('maker-1@bank.example');
    expect(screen.queryByText('maker-2@bank.example')).toBeNull();
    expect(screen.queryByRole('button', { name: 'Show more checkers' })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Show more makers' }));
    await screen.findByText('maker-2@bank.example');
    expect(screen.getAllByText(/^maker-\d@bank\.example$/).map((e) => e.textContent)).toEqual([
      'maker-0@bank.example',
      'maker-1@bank.example',
      'maker-2@bank.example',
    ]);
    expect(screen.queryByRole('button', { name: 'Show more makers' })).toBeNull();
    expect(requests.filter((r) => r.method === 'GET').map((r) => r.query)).toContain('role=maker&limit=200&after=maker-1');
  });
});
