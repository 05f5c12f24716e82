import { describe, expect, it } from '@jest/globals';
import { ApiError } from '../api/client.js';
import { submit } from './submit.js';

function form() {
  const seen: { busy: boolean[]; error?: string | undefined; errors?: Record<string, string> } = { busy: [] };
  return {
    seen,
    state: {
      setBusy: (busy: boolean) => seen.busy.push(busy),
      setError: (text: string | undefined) => (seen.error = text),
      setErrors: (errors: Record<string, string>) => (seen.errors = errors),
    },
  };
}

describe('submit', () => {
  it('when the API refuses a field (422), then the refusal is said above and the API’s words go to the field', async () => {
    const { seen, state } = form();
    await submit(state, () => Promise.reject(new ApiError(422, { detail: 'must be 1-64 letters', field: 'staffId' })));
    expect(seen).toEqual({ busy: [true, false], error: 'Some details are not valid.', errors: { staffId: 'must be 1-64 letters' } });
  });

  it('when the API refuses otherwise (409), then it is said once, above, and no field is marked', async () => {
    const { seen, state } = form();
    await submit(state, () => Promise.reject(new ApiError(409, { detail: 'taken', field: 'email' })));
    expect(seen).toEqual({ busy: [true, false], error: 'An account with this email address already exists.' });
  });
});
