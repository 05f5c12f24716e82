import { describe, expect, it } from '@jest/globals';
import { fakeGateway, problem, route, signedInTokens } from '../testing/fake-api.js';
import { ApiError, describeError, idempotencyKey } from './client.js';

describe('the API client', () => {
  it('when an access token is refused, then it refreshes once for calls made together and retries each with the new token', async () => {
    let refreshes = 0;
    const { api, requests, store } = fakeGateway(
      route('POST', '/auth/login', signedInTokens(1)),
      route('POST', '/auth/refresh', () => signedInTokens(1 + ++refreshes)),
      route('GET', '/auth/me', (request) =>
        request.headers.Authorization === 'Bearer access-2' ? { status: 200, body: { id: 'u1' } } : problem(401, 'expired'),
      ),
    );
    await api.signIn('ravi@example.com', 'correct horse battery');
    await Promise.all([api.me(), api.me()]);
    expect(refreshes).toBe(1);
    expect(requests.find((r) => r.path === '/auth/refresh')?.body).toEqual({ refreshToken: 'refresh-1' });
    expect(store.getItem('kyc.refresh')).toBe('refresh-2');
  });

  it('when the refresh is refused, then the sign-in ends: the token is forgotten and the app is told', async () => {
    const { api, store } = fakeGateway(
      route('POST', '/auth/login', signedInTokens(1)),
      route('POST', '/auth/refresh', problem(401, 'reused')),
      route('GET', '/auth/me', problem(401, 'expired')),
    );
    let signedOut = false;
    api.onSignedOut = () => (signedOut = true);
    await api.signIn('ravi@example.com', 'correct horse battery');
    await expect(api.me()).rejects.toBeInstanceOf(ApiError);
    expect(signedOut).toBe(true);
    expect(store.getItem('kyc.refresh')).toBeNull();
    expect(api.hasSession()).toBe(false);
  });

  it('every write carries its own Idempotency-Key; reads carry none', async () => {
    const { api, requests } = fakeGateway(
      route('POST', '/auth/register', { status: 202, body: {} }),
      route('GET', '/status', { status: 200, body: {} }),
    );
    await api.register('a@example.com', 'correct horse battery');
    await api.register('a@example.com', 'correct horse battery');
    await api.status();
    const [first, second, read] = requests;
    expect(first?.headers['Idempotency-Key']).not.toBe(second?.headers['Idempotency-Key']);
    expect(read?.headers['Idempotency-Key']).toBeUndefined();
  });

  it('when a 503 asks for a short wait, then the call waits it out and is sent once more with the same Idempotency-Key, unseen', async () => {
    let answers = 0;
    const { api, requests, slept } = fakeGateway(
      route('POST', '/auth/login', () =>
        ++answers === 1 ? { ...problem(503, 'upstream unavailable'), headers: { 'Retry-After': '2' } } : signedInTokens(1),
      ),
    );
    await api.signIn('ravi@example.com', 'correct horse battery');
    expect(slept).toEqual([2000]);
    expect(requests).toHaveLength(2);
    expect(requests[1]?.headers['Idempotency-Key']).toBe(requests[0]?.headers['Idempotency-Key']);
    expect(api.hasSession()).toBe(true);
  });

  it.each([
    ['a long wait', problem(503, 'paused'), '30', 30],
    ['a reduced mode', problem(503, 'read-only', { mode: 'ReadOnly' }), '1', 1],
    ['no Retry-After', problem(503, 'down'), undefined, undefined],
  ])('when a 503 asks for %s, then it is told at once, without a retry', async (_case, answer, header, seconds) => {
    const { api, requests, slept } = fakeGateway(
      route('POST', '/applications', { ...answer, ...(header !== undefined && { headers: { 'Retry-After': header } }) }),
    );
    const error = await api.createApplication(['kyc_verification'], 'v1').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(ApiError);
    expect([(error as ApiError).status, (error as ApiError).retryAfterSeconds]).toEqual([503, seconds]);
    expect([requests.length, slept]).toEqual([1, []]);
  });

  it('when the retry of a short 503 is refused again, then that answer is told', async () => {
    const { api, requests } = fakeGateway(route('GET', '/status', { ...problem(503, 'still down'), headers: { 'Retry-After': '1' } }));
    await expect(api.status()).rejects.toMatchObject({ status: 503, retryAfterSeconds: 1 });
    expect(requests).toHaveLength(2);
  });

  it.each([
    [new ApiError(503, { detail: 'x' }, 30), 'The service is busy or paused. Please try again in 30 seconds.'],
    [new ApiError(500, { requestId: 'req-9' }), 'Something went wrong on our side. If it keeps happening, quote reference req-9.'],
    [new ApiError(429, undefined), 'Too many attempts. Please wait a moment and try again.'],
    [
      new ApiError(503, { detail: 'read-only', mode: 'ReadOnly' }, 30),
      'The service is read-only for now: you can look at your application, but changes wait until it is back to normal.',
    ],
    [new ApiError(409, { field: 'email' }), 'An account with this email address already exists.'],
    [new ApiError(409, { field: 'state' }), 'This cannot be done now: the application has moved on. Refresh to see where it is.'],
    [new TypeError('Failed to fetch'), 'We could not reach the service. Check your connection and try again.'],
  ])('an error is told in words: %s', (error, words) => {
    expect(describeError(error)).toBe(words);
  });

  it('names the fields a 422 problem blames', () => {
    const error = new ApiError(422, {
      field: 'pan',
      errors: [
        { field: 'pan', detail: 'bad' },
        { field: 'address.pincode', detail: 'short' },
      ],
    });
    expect(error.fieldErrors()).toEqual({ pan: 'bad', 'address.pincode': 'short' });
  });

  it("makes Idempotency-Keys without crypto.randomUUID, which plain-HTTP pages (make up's NodePort) do not have", () => {
    const original = Object.getOwnPropertyDescriptor(crypto, 'randomUUID');
    Object.defineProperty(crypto, 'randomUUID', { value: undefined, configurable: true });
    try {
      const keys = new Set(Array.from({ length: 100 }, () => idempotencyKey()));
      expect(keys.size).toBe(100);
      for (const key of keys) expect(key).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    } finally {
      if (original) Object.defineProperty(crypto, 'randomUUID', original);
    }
  });
});
