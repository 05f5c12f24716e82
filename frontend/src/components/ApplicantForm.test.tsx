/** @jest-environment jsdom */
import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { anApplication, fakeGateway, problem, route, signedInTokens } from '../testing/fake-api.js';
import { ApplicantForm } from './ApplicantForm.js';

const TODAY = new Date('2026-12-05T00:00:00Z');
const application = anApplication();
afterEach(cleanup);

function type(label: string | RegExp, value: string) {
  fireEvent.change(screen.getByLabelText(label), { target: { value } });
}

function fillValid() {
  type('Full name as on your PAN card', 'Ravi Verma');
  type('Date of birth', '1990-04-01');
  type('PAN', 'ABCPV1234D');
  type('Aadhaar number', '234123412346');
  type('Address line 1', '12 MG Road');
  type('City', 'Pune');
  type('State', 'Maharashtra');
  type('PIN code', '411001');
}

async function signedIn(...handlers: Parameters<typeof fakeGateway>) {
  const gateway = fakeGateway(route('POST', '/auth/login', signedInTokens()), ...handlers);
  await gateway.api.signIn('ravi@example.com', 'correct horse battery');
  return gateway;
}

describe('the applicant form', () => {
  it('when a wrong PAN is typed, then the field shows the error at once, marked invalid for screen readers', async () => {
    const { api } = await signedIn();
    render(<ApplicantForm api={api} application={application} onSaved={jest.fn()} today={TODAY} />);
    type('PAN', 'ABCP1234');
    const field = screen.getByLabelText('PAN');
    expect(field.getAttribute('aria-invalid')).toBe('true');
    const error = screen.getByRole('alert');
    expect(error.textContent).toMatch(/PAN/);
    expect(field.getAttribute('aria-describedby')).toContain(error.id);
    type('PAN', 'ABCPV1234D');
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('when an Aadhaar number fails the Verhoeff check, then the field says so', async () => {
    const { api } = await signedIn();
    render(<ApplicantForm api={api} application={application} onSaved={jest.fn()} today={TODAY} />);
    type('Aadhaar number', '234123412347');
    expect(screen.getByRole('alert').textContent).toMatch(/Aadhaar number/);
  });

  it('when the form is sent with blanks, then nothing is sent and each required field says so', async () => {
    const { api, requests } = await signedIn();
    render(<ApplicantForm api={api} application={application} onSaved={jest.fn()} today={TODAY} />);
    fireEvent.click(screen.getByRole('button', { name: 'Save and continue' }));
    expect(screen.getAllByText('This field is required.')).toHaveLength(8);
    expect(requests.filter((r) => r.method === 'PATCH')).toHaveLength(0);
  });

  it('when every field is valid, then one PATCH with an Idempotency-Key carries them and the saved application is handed on', async () => {
    const saved = anApplication({ updatedAt: '2026-12-05T10:05:00Z' });
    const { api, requests } = await signedIn(route('PATCH', '/applications/app-1', { status: 200, body: saved }));
    const onSaved = jest.fn();
    render(<ApplicantForm api={api} application={application} onSaved={onSaved} today={TODAY} />);
    fillValid();
    fireEvent.click(screen.getByRole('button', { name: 'Save and continue' }));
    await waitFor(() => expect(onSaved).toHaveBeenCalledWith(saved));
    const patch = requests.find((r) => r.method === 'PATCH');
    expect(patch?.headers.Authorization).toBe('Bearer access-1');
    expect(patch?.headers['Idempotency-Key']).toMatch(/^[0-9a-f-]{36}$/);
    expect(patch?.body).toMatchObject({ pan: 'ABCPV1234D', address: { pincode: '411001' } });
  });

  it('when the API refuses a field, then its message is shown at that field', async () => {
    const refused = problem(422, 'validation failed', {
      field: 'pan',
      errors: [{ field: 'pan', detail: 'is already on another application' }],
    });
    const { api } = await signedIn(route('PATCH', '/applications/app-1', refused));
    render(<ApplicantForm api={api} application={application} onSaved={jest.fn()} today={TODAY} />);
    fillValid();
    fireEvent.click(screen.getByRole('button', { name: 'Save and continue' }));
    expect(await screen.findByText('PAN is already on another application.')).toBeTruthy();
    expect(screen.getByText('Please correct the fields marked below.')).toBeTruthy();
  });
});
